"""Schedules as a cron line or in words.

"every 6 hours" is ``0 */6 * * *``, "daily at 2am" ``0 2 * * *``, "weekdays at 7am"
``0 7 * * 1-5``, "twice a day" ``0 */12 * * *``; "manual" means no schedule. The words are
read by :mod:`agent.parsing.schedule_words`; crons go back into words with
:func:`~agent.parsing.cron_words.describe_cron`. Intervals that one cron line cannot keep
(every 7 hours, every 2 days) are refused rather than approximated. Times are wall-clock
times in the schedule's own time zone, which the caller keeps; :attr:`Schedule.clock` says
whether the schedule names clock times at all, that is whether its zone is worth asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from croniter import croniter

from agent.parsing.cron_words import MACROS, describe_cron
from agent.parsing.schedule_words import EXAMPLES, FILLER, read_words, schedule_error
from agent.parsing.text import fold_quotes, squash

__all__ = ["EXAMPLES", "Schedule", "describe_cron", "parse_schedule"]

MANUAL_DESCRIPTION = "manually, only when you ask (no schedule)"

# Ways to say "no schedule"; the words around them must be filler ("just manual pls").
MANUAL_PHRASES = (
    "manual",
    "manually",
    "manual only",
    "manual runs?",
    "manual triggers?",
    "never",
    "on demand",
    "on-demand",
    "on request",
    "none",
    "nothing",
    "no schedule",
    "no schedule needed",
    "no need for a schedule",
    "no need",
    "not needed",
    "not scheduled",
    "unscheduled",
    "leave it unscheduled",
    "without a schedule",
    "no cron",
    "no automatic (?:runs?|syncs?|pulls?)",
    "off",
    "ad hoc",
    "adhoc",
    "as needed",
    "when needed",
    "(?:only )?when i (?:ask|say so|tell you|need it|trigger it|want)",
    "don't schedule(?: it)?",
    "dont schedule(?: it)?",
    "do not schedule(?: it)?",
    "don't need a schedule",
    "no",
    "nope",
    "(?:i'll|i will|we'll|we will) (?:run|trigger|start|pull|do) it(?: myself| manually)?",
    "by hand",
    "whenever i (?:want|like|need)(?: it)?",
    "myself",
)
_MANUAL = re.compile(r"(?<![\w'])(?:" + "|".join(MANUAL_PHRASES) + r")(?![\w'])")
_LEAD = re.compile(
    r"^(?:(?:please|run|sync|pull|push|check|it|them|schedule|scheduled|do it|make it|"
    r"let's say|lets say|how about|ok|okay|let's do|go with|just|hmm|um|uh|so|well|"
    r"i want it|i'd like it|i would like it|set it to|have it run|maybe|actually|no wait|"
    r"wait|instead|rather|change it to|change that to|make that)[,:]?\s+)+"
)
_TAIL = re.compile(
    r"(?:[\s,]+(?:please|pls|plz|thanks|thx|ty|thank you|is fine|works|is good|i guess|"
    r"i think|maybe|ideally|instead|then|rather))+$"
)
_CRON_FIELD = re.compile(r"[\d*/,\-?LW#]+|[a-z]{3}(?:[-,][a-z]{3})*", re.IGNORECASE)
_CRONISH = re.compile(r"[\d*/,\-?\s]+")
_PAST = re.compile(r"\s*\bat\s+(?::(?P<m>\d{2})|(?P<n>\d{1,2}|half|quarter)\s+past(?: the hour)?)")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When syncs run.

    Attributes:
        cron: A five-field cron line, or ``None`` for manual runs only.
        description: The schedule in words, to echo back ("every 6 hours").
        next_run: The first run after ``now``, when a ``now`` was given.
        clock: Whether it names clock times ("daily at 7", "between 9 and 17"), which mean
            nothing until a time zone is known; "nightly" or "every 6 hours" do not.
        times_only: Whether only clock times were said ("make it 10pm"): a change of the
            time that may keep the days of a schedule already chosen.
    """

    cron: str | None
    description: str
    next_run: datetime | None = None
    clock: bool = False
    times_only: bool = False

    @property
    def manual(self) -> bool:
        """Whether syncs run only when someone asks."""
        return self.cron is None


def _cron_line(text: str) -> str | None:
    """``text`` as a cron line if it looks like one; raises if it looks like a broken one."""
    stripped = squash(text)
    if stripped.lower() in MACROS:
        return MACROS[stripped.lower()]
    fields = stripped.split()
    if len(fields) == 5 and all(_CRON_FIELD.fullmatch(f) for f in fields):
        if not any(re.search(r"[\d*]", f) for f in fields):
            return None
        if not croniter.is_valid(stripped):
            raise schedule_error(text, f'"{stripped}" is not a valid cron line.')
        return stripped
    if _CRONISH.fullmatch(stripped) and "*" in stripped:
        raise schedule_error(
            text,
            f'"{stripped}" has {len(fields)} fields; a cron line has five '
            "(minute, hour, day of month, month, day of week).",
        )
    return None


def _minute_offset(text: str, low: str) -> tuple[str, int]:
    """``low`` without "at :30" / "at half past", and that minute."""
    past = _PAST.search(low)
    if past is None:
        return low, 0
    word = past.group("m") or past.group("n")
    offset = {"half": 30, "quarter": 15}.get(word) or int(word)
    if offset > 59:
        raise schedule_error(text, f"{offset} minutes past the hour is not a time.")
    return squash(low[: past.start()] + low[past.end() :]), offset


def _is_manual(low: str) -> bool:
    """Whether ``low`` says "no schedule" and nothing else ("no thanks, manual")."""
    if _MANUAL.search(low) is None:
        return False
    rest = _MANUAL.sub(" ", low)
    return all(word in FILLER for word in re.findall(r"[a-z0-9']+", rest))


def parse_schedule(text: str, *, now: datetime | None = None) -> Schedule:
    """The schedule ``text`` asks for.

    Args:
        text: A cron line or words ("every 6 hours", "daily at 2am", "manual").
        now: When given, ``next_run`` is the first run after it (in its time zone).

    Returns:
        The schedule; ``cron`` is ``None`` for manual runs only.

    Raises:
        ScheduleError: Neither a valid cron line nor words we understand.
    """
    low = squash(fold_quotes(text).lower()).rstrip(".!")
    low = _TAIL.sub("", _LEAD.sub("", low)).strip(" ,")
    if not low:
        raise schedule_error(text)
    if _is_manual(low):
        return Schedule(None, MANUAL_DESCRIPTION)
    cron = _cron_line(fold_quotes(text).strip().strip("`'\""))
    times_only = False
    if cron is not None:
        clock = not cron.split()[1].startswith("*")
    else:
        low, offset = _minute_offset(text, low)
        read = read_words(text, low, offset)
        if read is None:
            raise schedule_error(text)
        cron, clock, times_only = read.cron, read.clock, read.times_only
    next_run = croniter(cron, now).get_next(datetime) if now is not None else None
    return Schedule(cron, describe_cron(cron), next_run, clock, times_only)
