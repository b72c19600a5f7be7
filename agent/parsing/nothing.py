"""An answer that says there is nothing: "none", "no password", "skip", "leave it empty".

Read only where a field may be empty (a database login without a password), so a password
that happens to be "none" is still a password everywhere else. An empty message (a masked
form sent with nothing in it) says the same.

Two readings: :func:`says_nothing` for a whole answer to the question asked ("none", "root
has no password on this box"), and :func:`declines_secret` for a clause inside a message that
gives other settings ("host db, user root, no password").
"""

from __future__ import annotations

import re

from agent.parsing.text import fold_quotes, squash

__all__ = ["decline_span", "declines_secret", "says_nothing"]

# Words for a password, as people type them.
SECRET_WORDS: tuple[str, ...] = ("password", "passwd", "pass", "pwd", "pw", "passphrase", "secret")
# Words that, as a whole answer, mean "there is none".
NOTHING_WORDS: tuple[str, ...] = (
    "none",
    "no",
    "nope",
    "nothing",
    "nil",
    "null",
    "n/a",
    "na",
    "empty",
    "blank",
    "skip",
    "skip it",
    "no one",
    "passwordless",
    "not needed",
    "not required",
    "not set",
    "none needed",
    "none required",
)
_SECRET = "(?:" + "|".join(SECRET_WORDS) + ")"
_NOTHING = re.compile(
    r"(?:(?:there(?:'s| is) |it has |it's |it is |i have |we have |use )?"
    rf"(?:{'|'.join(map(re.escape, NOTHING_WORDS))}|-+|"
    rf"no {_SECRET}(?: at all| needed| required| set)?|"
    rf"without (?:a )?{_SECRET}|"
    r"(?:leave|keep) it (?:empty|blank)|(?:an )?empty (?:one|password|string)|"
    r"(?:trust|peer)(?: auth| authentication)?|"
    r"doesn't have one|does not have one|has none|there isn't one|there is none))"
)
_FILLER = re.compile(r"^(?:(?:oh|um|uh|well|so|ok|okay)[,\s]+)+|[\s.!]+$")
# A clause that says the login has no password, anywhere in a sentence.
_CLAUSE = re.compile(
    r"\b(?:no|without(?: a| any)?|(?:there(?:'s| is)|it has|has|have|with) no|"
    r"(?:doesn't|does not|don't|do not|dont|doesnt) (?:have|use|need)(?: a| any)?|"
    rf"empty|blank)[ -]{_SECRET}\b|"
    rf"\b{_SECRET}(?:\s*[:=]\s*|\s+is\s+|\s+)(?:none|empty|blank|nothing|not needed|not set)\b|"
    r"\b(?:trust|peer) auth(?:entication)?\b|\bpasswordless\b",
    re.IGNORECASE,
)


def says_nothing(text: str) -> bool:
    """Whether ``text`` answers a question with "there is none" (an empty text does too).

    A short sentence around a "no password" clause says it too ("root has no password on
    this box", "nope, none needed, it's trust auth"): a password is one word, not a sentence
    about itself.
    """
    low = _FILLER.sub("", squash(fold_quotes(text).lower()))
    if not low or _NOTHING.fullmatch(low) is not None:
        return True
    return " " in low and declines_secret(low)


def declines_secret(text: str) -> bool:
    """Whether ``text`` holds a clause saying the login has no password ("user root, no pw")."""
    return decline_span(text) is not None


def decline_span(text: str) -> tuple[int, int] | None:
    """Where the "no password" clause of ``text`` stands, so other values end before it."""
    match = _CLAUSE.search(fold_quotes(text))
    return match.span() if match else None
