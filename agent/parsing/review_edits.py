"""Edits said at the review in words: "actually make it hourly", "add line_items too".

"Change the X to Y" and "call it …" are commands (:mod:`agent.parsing.commands`); this
module reads the edits people make without naming a field: a schedule ("make it daily at 7
berlin time"), streams added or dropped ("wait, add line_items too", "drop logs"), the
schema scope ("use the reporting schema instead"), a sink's auto-push ("turn auto-push
off") and its retries ("retry 5 times instead"). Each is a row of :data:`_PATTERNS` (a
regular expression and the kind it gives), so a new phrasing is one more row; the review
step decides what an edit does to the session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from agent.parsing.errors import ScheduleError
from agent.parsing.schedule import parse_schedule
from agent.parsing.text import fold_quotes, squash, strip_quotes
from agent.parsing.timezones import find_timezone

__all__ = ["PUSH_WORDS", "EditKind", "ReviewEdit", "parse_retries", "parse_review_edit"]


class EditKind(StrEnum):
    """What a review edit changes."""

    SCHEDULE = "schedule"
    ADD_STREAMS = "add_streams"
    DROP_STREAMS = "drop_streams"
    SCOPE = "scope"
    ONLY_STREAMS = "only_streams"
    USE = "use"
    PUSH = "push"
    RETRIES = "retries"


@dataclass(frozen=True, slots=True)
class ReviewEdit:
    """One edit at the review.

    Attributes:
        kind: What it changes.
        value: The schedule words, the streams or schemas named (original casing); for
            :attr:`EditKind.USE` ("use reporting instead") a schema or streams, which the
            step tells apart by the catalog.
        flag: For :attr:`EditKind.PUSH`: auto-push on or off.
        count: For :attr:`EditKind.RETRIES`: how many retries.
    """

    kind: EditKind
    value: str = ""
    flag: bool | None = None
    count: int | None = None


PUSH_WORDS = (
    "push",
    "auto-push",
    "autopush",
    "auto push",
    "automatic",
    "send them",
    "send results",
    "job complet",
    "jobs complet",
    "job finish",
    "jobs finish",
    "on complet",
    "manual",
    "by hand",
)
"""Words that name a sink's "push results when a job completes" option (or its opposite,
"manually": the answer that names it is then read as a no)."""

# Said before an edit, meaning nothing by themselves: "wait, …", "oh and also …". A yes or
# no before an edit ("ok but …", "no, …") is left for the step, which takes both parts.
_LEAD = re.compile(
    r"^(?:(?:actually|wait|hold on|hang on|oh|oh and|and|also|hmm+|um+|uh+|sorry|"
    r"so|please|pls|one more thing|on second thought|hmm actually|then|ah|oops|"
    r"i changed my mind|change of plan|scratch that|can you|could you|would you|can we|"
    r"i'?d like to|i would like to|let'?s|please)\b[\s,.;:!-]*)+",
    re.IGNORECASE,
)
_TAIL = re.compile(
    r"(?:[\s,.;:!-]+(?:too|as well|also|instead|rather|please|pls|thanks|thank you|thx|then|"
    r"now|for me|after all|would be better|would be good|is better|works better|if possible))+"
    r"[.!]*$",
    re.IGNORECASE,
)
# One name or a few ("sales", "public, sales", "public and sales"): no other words.
_NAMES = r"(?P<value>[\w-]+(?:(?:\s*,\s*|\s+and\s+|\s*&\s*)[\w-]+)*)"
_PUSH = r"(?:the\s+)?(?:auto[- ]?push(?:ing)?|automatic\s+push(?:ing|es)?|push(?:ing|es)?)"
_NUMBER = r"(\d+|once|twice|one|two|three|four|five|thrice)"
_COUNTS = {
    "once": 1,
    "one": 1,
    "twice": 2,
    "two": 2,
    "thrice": 3,
    "three": 3,
    "four": 4,
    "five": 5,
}
_RETRIES = re.compile(
    rf"(?:\b(?:retry|retries|re-?try|try)\b\D{{0,20}}?\b{_NUMBER}(?:x\b|\b))|"
    rf"(?:\b{_NUMBER}\s+(?:retries|retry|tries)\b)",
    re.IGNORECASE,
)
_NO_RETRIES = re.compile(r"\b(?:no retries|no retry|don'?t retry|never retry|zero retries)\b")

# (pattern, kind, flag): the first that matches the whole (trimmed) message wins.
_PATTERNS: tuple[tuple[re.Pattern[str], EditKind, bool | None], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), kind, flag)
    for pattern, kind, flag in (
        (rf"(?:turn|switch|set)\s+{_PUSH}\s+(?:to\s+)?off", EditKind.PUSH, False),
        (rf"(?:turn|switch)\s+off\s+{_PUSH}", EditKind.PUSH, False),
        (rf"(?:disable|stop|no)\s+{_PUSH}", EditKind.PUSH, False),
        (
            r"(?:don'?t|do\s+not|never)\s+(?:auto[- ]?push|push)(?:\s+(?:them|results|"
            r"anything))?(?:\s+automatically)?(?:\s+.*)?",
            EditKind.PUSH,
            False,
        ),
        (
            r"i\s+don'?t\s+want\s+(?:it\s+|them\s+)?(?:to\s+)?(?:auto[- ]?push|push).*",
            EditKind.PUSH,
            False,
        ),
        (
            r"(?:push|send)\s+(?:them\s+|results\s+)?(?:manually|by hand|myself)",
            EditKind.PUSH,
            False,
        ),
        (rf"{_PUSH}\s*[:=]?\s*(?:to\s+)?off", EditKind.PUSH, False),
        (rf"(?:turn|switch|set)\s+{_PUSH}\s+(?:to\s+)?on", EditKind.PUSH, True),
        (rf"{_PUSH}\s*[:=]\s*on", EditKind.PUSH, True),
        (rf"(?:turn|switch)\s+on\s+{_PUSH}", EditKind.PUSH, True),
        (rf"enable\s+{_PUSH}", EditKind.PUSH, True),
        (
            r"(?:auto[- ]?push|push\s+(?:them\s+|results\s+)?automatically)(?:\s+(?:please|on))?",
            EditKind.PUSH,
            True,
        ),
        (
            rf"(?:use|switch\s+to|pull\s+from|take|go\s+with|only|just)\s+(?:the\s+)?"
            rf"{_NAMES}\s+schemas?(?:\s+only)?",
            EditKind.SCOPE,
            None,
        ),
        (
            r"(?:use|switch\s+to|pull\s+from|go\s+with)\s+(?:the\s+)?schemas?\s+(?P<value>.+)",
            EditKind.SCOPE,
            None,
        ),
        (
            rf"(?:i\s+(?:want|need|meant|prefer)\s+)?(?:the\s+)?{_NAMES}\s+schemas?(?:\s+only)?",
            EditKind.SCOPE,
            None,
        ),
        (r"(?:only|just)\s+(?P<value>.+)", EditKind.ONLY_STREAMS, None),
        (r"(?:use|go\s+with|switch\s+to)\s+(?P<value>[\w.*,\s-]+)", EditKind.USE, None),
        (
            r"(?:add|include|also\s+pull|pull|throw\s+in|plus|and|also)\s+(?P<value>.+)",
            EditKind.ADD_STREAMS,
            None,
        ),
        (
            r"(?:drop|remove|exclude|skip|leave\s+out|take\s+out|get\s+rid\s+of|forget(?:\s+about)?|"
            r"without|(?:i\s+)?don'?t\s+(?:pull|sync|include|need|want)|no\s+need\s+for|lose|"
            r"not(?!\s+(?:now|yet|really|quite|exactly|sure|today)\b))\s+"
            r"(?P<value>.+?)(?:\s+from\s+(?:the\s+)?(?:list|selection|streams|tables|sync))?",
            EditKind.DROP_STREAMS,
            None,
        ),
        (r"(?:leave|take)\s+(?P<value>.+?)\s+out", EditKind.DROP_STREAMS, None),
    )
)
# Said before a schedule: "make it hourly", "switch to daily", "let's do every 6 hours".
_SCHEDULE_LEAD = re.compile(
    r"^(?:(?:make|set|change|switch|move|put)\s+(?:it|that|this|the\s+schedule|the\s+sync|"
    r"syncing|pulls?)\s+(?:to\s+|into\s+)?|(?:switch|change|move)\s+to\s+|let'?s\s+(?:do|go\s+with|"
    r"make\s+it)\s+|(?:do|run|sync|pull|schedule)\s+(?:it\s+|that\s+|them\s+)?|"
    r"schedule\s*(?:is|:|=|should\s+be)?\s*|i\s+(?:want|need|prefer)\s+(?:it\s+)?|"
    r"i'?d\s+(?:prefer|rather|like)\s+(?:it\s+)?|(?:better|rather|only|just)\s+)",
    re.IGNORECASE,
)


def parse_review_edit(text: str) -> ReviewEdit | None:
    """The edit ``text`` makes at the review, or ``None`` when it makes none of these.

    A schedule counts only when the words parse as one (``parse_schedule``), so "make it
    Bookings" is not read as a schedule.
    """
    # Without its lead ("wait, add line_items"), then as said ("also logs").
    whole = _trim_tail(squash(fold_quotes(text)).strip())
    for said in dict.fromkeys((_trim_tail(_LEAD.sub("", whole).strip()), whole)):
        edit = _edit_in(said) if said else None
        if edit is not None:
            return edit
    return None


def _edit_in(said: str) -> ReviewEdit | None:
    if _NO_RETRIES.fullmatch(said.lower()):
        return ReviewEdit(EditKind.RETRIES, count=0)
    retries = _retries_only(said)
    if retries is not None:
        return ReviewEdit(EditKind.RETRIES, count=retries)
    for pattern, kind, flag in _PATTERNS:
        match = pattern.fullmatch(said)
        if match is None:
            continue
        value = strip_quotes((match.groupdict().get("value") or "").strip(" ,.")).strip()
        if kind is not EditKind.PUSH and not value:
            continue
        if kind not in {EditKind.PUSH, EditKind.SCOPE} and _is_schedule(value):
            continue  # "also hourly", "just daily": a schedule, not a stream
        return ReviewEdit(kind, value=value, flag=flag)
    words = _SCHEDULE_LEAD.sub("", said).strip()
    if words and _is_schedule(words):
        return ReviewEdit(EditKind.SCHEDULE, value=words)
    return None


def parse_retries(text: str) -> int | None:
    """How many times a failed push is retried, when ``text`` says ("retry 3 times")."""
    low = squash(fold_quotes(text).lower())
    if _NO_RETRIES.search(low):
        return 0
    match = _RETRIES.search(low)
    if match is None:
        return None
    word = next(g for g in match.groups() if g)
    return int(word) if word.isdigit() else _COUNTS.get(word)


def _retries_only(said: str) -> int | None:
    """A message about retries alone: "retry 5 times", "3 retries", "max 3 retries"."""
    low = re.sub(r"^(?:max(?:imum)?|up to|at most|with|only|just)\s+", "", said.lower())
    if not re.fullmatch(
        r"(?:(?:retry|retries|re-?try|try)\b.*|\S+\s+(?:retries|tries)(?:\s+.*)?|no retries|"
        r"no retry|don'?t retry|never retry)",
        low,
    ):
        return None
    return parse_retries(low)


def _is_schedule(words: str) -> bool:
    _zone, rest = find_timezone(words)
    try:
        parse_schedule(rest or words)
    except ScheduleError:
        return False
    return True


def _trim_tail(said: str) -> str:
    return _TAIL.sub("", said).strip().rstrip(".!").strip()
