"""Yes or no, in the forms people type: "yep", "go ahead", "👍", "not yet", "nope".

The answer is read from the start of the message, so "yes, retry twice if it fails" is a
yes; a "but" after it ("yes but change the port") makes it unclear, as do "maybe" and
"I don't know".
"""

from __future__ import annotations

import re

from agent.parsing.text import fold_quotes, squash

__all__ = ["parse_yes_no"]

_YES = (
    r"yes|y|ya|yah|yeah|yea|yep|yup|yas|sure|sure thing|ok|okay|k|kk|okey|alright|all right|"
    r"affirmative|absolutely|definitely|of course|certainly|correct|right|that's right|"
    r"that is right|exactly|confirm|confirmed|i confirm|go ahead|go for it|go|proceed|"
    r"do it|please do|create it|create|yes please|sounds good|looks good|lgtm|perfect|great|"
    r"fine|good|agreed|i agree|let's do it|lets do it|let's go|ship it|i think so|no problem|"
    r"no worries|why not|works for me|that works|keep them|keep it|keep|true|on|enable|"
    r"\U0001f44d|\u2705|\u2714\ufe0f?|\U0001f44c|\U0001f197"
)
_NO = (
    r"no|n|nope|nah|naw|negative|not yet|not now|not really|no thanks|no thank you|"
    r"don't|dont|do not|don't do it|cancel that|stop|wait|hold on|hang on|never|"
    r"incorrect|wrong|that's wrong|i don't think so|false|off|disable|skip|skip it|"
    r"\U0001f44e|\u274c|\U0001f6ab"
)
_UNCLEAR = re.compile(
    r"^(?:maybe|perhaps|not sure|unsure|i'?m not sure|i don'?t know|don'?t know|dunno|"
    r"idk|hmm+|what|why|depends)\b"
)
# "no problem" is a yes; checked before the plain "no".
_ANSWER = re.compile(
    rf"^(?:(?P<yes_first>no problem|no worries|i don't think so)|(?P<yes>{_YES})|(?P<no>{_NO}))"
    r"(?=$|[\s,.;:!?)\-]|[\U0001f300-\U0001faff])"
)
_HEDGE = re.compile(r"\b(?:but|except|although|though|however|unless|wait|hold on|actually)\b")
_LEAD = re.compile(r"^(?:(?:uh|um|umm|hmm|well|oh|ah|so|then|and)[,\s]+)+")


def parse_yes_no(text: str) -> bool | None:
    """``True`` for yes, ``False`` for no, ``None`` when the message is neither or unclear."""
    low = _LEAD.sub("", squash(fold_quotes(text).lower()))
    if not low or _UNCLEAR.match(low):
        return None
    match = _ANSWER.match(low)
    if match is None:
        return None
    if match.group("yes_first"):
        answer = match.group("yes_first") != "i don't think so"
    else:
        answer = match.group("yes") is not None
    rest = low[match.end() :]
    if answer and _HEDGE.search(rest):
        return None
    return answer
