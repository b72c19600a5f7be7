"""An answer that says there is nothing: "none", "no password", "skip", "leave it empty".

Read only where a field may be empty (a database login without a password), so a password
that happens to be "none" is still a password everywhere else. An empty message (a masked
form sent with nothing in it) says the same.
"""

from __future__ import annotations

import re

from agent.parsing.text import fold_quotes, squash

__all__ = ["says_nothing"]

_NOTHING = re.compile(
    r"(?:(?:there(?:'s| is) |it has |it's |it is |i have |we have |use )?"
    r"(?:none|no|nothing|nil|null|n/?a|-+|empty|blank|skip|skip it|no one|"
    r"no (?:password|pass|passwd|pw|pwd|secret)(?: at all| needed| required| set)?|"
    r"without (?:a )?(?:password|pass|passwd)|"
    r"(?:leave|keep) it (?:empty|blank)|(?:an )?empty (?:one|password|string)|"
    r"(?:trust|peer)(?: auth| authentication)?|not (?:needed|required|set)|"
    r"doesn't have one|does not have one|has none|there isn't one|there is none))"
)
_FILLER = re.compile(r"^(?:(?:oh|um|uh|well|so|ok|okay)[,\s]+)+|[\s.!]+$")


def says_nothing(text: str) -> bool:
    """Whether ``text`` answers a question with "there is none" (an empty text does too)."""
    low = _FILLER.sub("", squash(fold_quotes(text).lower()))
    return not low or _NOTHING.fullmatch(low) is not None
