"""Yes or no, in the forms people type: "yep", "go ahead", "👍", "not yet", "nope".

The answer is read from the start of the message, so "yes, retry twice if it fails" is a
yes; a "but" after it ("yes but change the port") makes it unclear, as do "maybe" and
"I don't know". :func:`split_yes_no` keeps both parts instead ("yes, but hourly" is a yes
and "hourly"), and :func:`restates` reads an answer that repeats the option asked about
("push results automatically" to "push results automatically?") as a yes, and one that
negates it ("don't push automatically") as a no: the step that asked decides what follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agent.parsing.text import fold_quotes, squash

__all__ = ["YesNo", "parse_yes_no", "restates", "split_yes_no"]

_YES = (
    r"yes|y|ya|yah|yeah|yea|yep|yup|yas|sure|sure thing|ok|okay|k|kk|okey|alright|all right|"
    r"affirmative|absolutely|definitely|of course|certainly|correct|right|that's right|"
    r"that is right|exactly|confirm|confirmed|i confirm|go ahead|go for it|go|proceed|"
    r"do it|please do|create it|create|yes please|sounds good|looks good|lgtm|perfect|great|"
    r"fine|good|agreed|i agree|let's do it|lets do it|let's go|ship it|i think so|no problem|"
    r"no worries|why not|works for me|that works|keep them|keep it|keep|true|on|enable|"
    r"all good|all set|good to go|that's perfect|thats perfect|that's fine|thats fine|"
    r"that is fine|that's good|thats good|looks great|looks fine|looks right|looks ok|"
    r"save|save it|submit|make it so|yes+|yse|yeas|yeah+|yep+|"
    r"\U0001f44d|\u2705|\u2714\ufe0f?|\U0001f44c|\U0001f197"
)
_NO = (
    r"no|n|nope|nah|naw|negative|not yet|not now|not really|no thanks|no thank you|"
    r"don't|dont|do not|don't do it|cancel that|stop|wait|hold on|hang on|never|"
    r"incorrect|wrong|that's wrong|i don't think so|false|off|disable|skip|skip it|"
    r"not quite|not exactly|almost|one change|one more change|a few changes|some changes|"
    r"\U0001f44e|\u274c|\U0001f6ab"
)
_UNCLEAR = re.compile(
    r"^(?:maybe|perhaps|not sure|unsure|i'?m not sure|i don'?t know|don'?t know|dunno|"
    r"idk|hmm+|what|why|depends)\b"
)
# "no problem" is a yes; checked before the plain "no".


def _longest_first(alternatives: str) -> str:
    """An alternation with its longest words first: "sure thing" before "sure"."""
    return "|".join(sorted(alternatives.split("|"), key=len, reverse=True))


_ANSWER = re.compile(
    rf"^(?:(?P<yes_first>no problem|no worries|i don't think so)|(?P<yes>{_longest_first(_YES)})|"
    rf"(?P<no>{_longest_first(_NO)}))"
    r"(?=$|[\s,.;:!?)\-]|[\U0001f300-\U0001faff])"
)
_HEDGE = re.compile(r"\b(?:but|except|although|though|however|unless|wait|hold on|actually)\b")
_LEAD = re.compile(r"^(?:(?:uh|um|umm|hmm|well|oh|ah|so|then|and|please|pls|ok so)[,\s]+)+")


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


@dataclass(frozen=True, slots=True)
class YesNo:
    """A yes or no and whatever else the message says.

    Attributes:
        answer: ``True`` for yes, ``False`` for no, ``None`` when the message is neither.
        rest: The rest of the message after the yes or no and its joiners ("but", "and",
            "please"), in the original casing; empty when there is nothing more.
    """

    answer: bool | None
    rest: str = ""


# Words that join a yes or no to what follows it: "yes, but hourly", "yes and call it x".
_JOINERS = re.compile(
    r"^(?:[\s,.;:!\-]|but|and|also|though|however|please|pls|then|so|"
    r"although|except|wait|actually)+(?=\s|$)|^[\s,.;:!\-]+",
    re.IGNORECASE,
)
# What a yes to creating says besides yes: nothing more to take from it.
_FILLER = re.compile(
    r"(?:(?:please|pls|thanks|thank you|thx|ty|now|then|go|do it|it|that|this|create|"
    r"create it|save it|set it up|(?:the |a |this |my )?(?:source|sink|connection|pipeline)|"
    r"(?:create|save|make|set up|add) (?:the |this |my )?(?:source|sink|connection|"
    r"pipeline|it)|go ahead|ahead|for it|sounds good|looks good|lgtm|great|perfect|"
    r"all good|ship it|let's go|lets go|to me|mate|buddy|thanks a lot|cheers|exactly|"
    r"with (?:it|that|this|these|those)(?: settings| answers)?|as (?:is|shown|it is)|"
    r"start (?:syncing|pulling|the sync(?:s)?)|"
    r"[\U0001f300-\U0001faff\u2600-\u27bf])[\s,.;:!]*)*",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:no|not|don'?t|do not|never|without|off|disable|disabled|stop|nothing|manual(?:ly)?|"
    r"by hand|myself|rather not|won'?t|no need)\b"
)


def split_yes_no(text: str) -> YesNo:
    """Yes or no, and the rest of the message ("yes, but hourly" is a yes and "hourly").

    Unlike :func:`parse_yes_no`, a hedge after a yes keeps the yes; what follows it is
    :attr:`YesNo.rest`, for the step to read as one more answer. A message with no yes
    or no at its start is ``YesNo(None, text)``.
    """
    said = squash(fold_quotes(text))
    low = said.lower()
    if len(low) != len(said):  # a rare letter whose lower case is longer: no cutting
        return YesNo(parse_yes_no(text), "")
    lead = _LEAD.match(low)
    start = lead.end() if lead else 0
    low = low[start:]
    if not low or _UNCLEAR.match(low):
        return YesNo(None, text.strip())
    match = _ANSWER.match(low)
    if match is None:
        return YesNo(None, text.strip())
    if match.group("yes_first"):
        answer = match.group("yes_first") != "i don't think so"
    else:
        answer = match.group("yes") is not None
    # Cut from the original (squashed) text, so a name keeps its casing.
    rest = said[start + match.end() :]
    rest = _JOINERS.sub("", rest).strip()
    if _FILLER.fullmatch(rest):
        rest = ""
    if rest:
        again = split_yes_no(rest)
        if again.answer is answer:
            rest = again.rest  # "yes, that's right", "nope, not yet": the same answer twice
    return YesNo(answer, rest)


def restates(text: str, option: Iterable[str]) -> bool | None:
    """Whether ``text`` repeats the option asked about (yes) or negates it (no).

    Args:
        text: The answer.
        option: Words that name the option ("push", "automatically"); one of them must
            appear for the answer to count.

    Returns:
        ``True`` when the answer names the option, ``False`` when it names it negated
        ("don't push automatically", "push manually"), ``None`` when it names neither.
    """
    low = squash(fold_quotes(text).lower())
    if not any(re.search(rf"\b{re.escape(word)}", low) for word in option):
        return None
    return _NEGATION.search(low) is None
