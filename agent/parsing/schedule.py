"""Schedules as a cron line or in words, and crons back into words.

"every 6 hours" is ``0 */6 * * *``, "daily at 2am" ``0 2 * * *``, "weekdays at 7am"
``0 7 * * 1-5``; "manual" means no schedule. Intervals that one cron line cannot keep
(every 7 hours, every 2 days) are refused rather than approximated. Times are wall-clock
times in the schedule's own time zone, which the caller keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from croniter import croniter

from agent.parsing.errors import ScheduleError
from agent.parsing.text import fold_quotes, squash

__all__ = ["Schedule", "describe_cron", "parse_schedule"]

EXAMPLES = ("every 6 hours", "daily at 2am", "every monday at 9", "0 */6 * * *", "manual")
MANUAL_DESCRIPTION = "manually, only when you ask (no schedule)"

_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "eight": 8,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "other": 2,
}
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ABBREVIATIONS = tuple(d[:3].lower() for d in _DAYS)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAY_WORD = re.compile(
    r"\b(?=(sun|mon|tue|wed|thu|fri|sat))(?:sun(?:day)?|mon(?:day)?|tue(?:s|sday)?|"
    r"wed(?:s|nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?|sat(?:urday)?)s?\b"
)
_MANUAL = re.compile(
    r"manual|manually|manual only|never|on demand|on-demand|none|no schedule|not scheduled|"
    r"unscheduled|off|ad hoc|adhoc|(?:only )?when i ask|only manually|don't schedule(?: it)?|"
    r"no|nope|i'll (?:run|trigger) it(?: myself)?"
)
_LEAD = re.compile(
    r"^(?:(?:please|run|sync|pull|push|check|it|them|schedule|scheduled|do it|make it|"
    r"let's say|lets say|how about|ok|okay|let's do|go with)[,:]?\s+)+"
)
_TAIL = re.compile(r"(?:[\s,]+(?:please|pls|plz|thanks|thank you|thx|ty|is fine|works|is good))+$")
_CRON_FIELD = re.compile(r"[\d*/,\-?LW#]+|[a-z]{3}(?:[-,][a-z]{3})*", re.IGNORECASE)
_CRONISH = re.compile(r"[\d*/,\-?\s]+")
_TIME = re.compile(
    r"(?:\bat\s+)?(?:\b(?P<word>noon|midnight)\b|\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*"
    r"(?P<ampm>a\.?m\.?|p\.?m\.?)(?![a-z])|\b(?P<h24>\d{1,2}):(?P<m24>\d{2})\b|"
    r"\bat\s+(?P<bare>\d{1,2})(?:\s*o'?clock)?\b)"
)
_PAST = re.compile(r"\s*\bat\s+(?::(?P<m>\d{2})|(?P<n>\d{1,2}|half|quarter)\s+past(?: the hour)?)")
_INTERVAL = re.compile(
    r"every\s+(?P<n>\d+|[a-z]+)\s*(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|weeks?|months?)|"
    r"(?P<n2>\d+)[\s-]?(?P<unit2>hourly)"
)
_HOURLY = re.compile(r"hourly|every hour|each hour|once an hour|once every hour")
_HALF_HOURLY = re.compile(r"every half(?: an)? hour|twice an hour|half-hourly|half hourly")
_TWICE_DAILY = re.compile(r"twice a day|twice daily|two times a day")
_EVERY_MINUTE = re.compile(r"every minute|each minute|minutely")
_FIXED_INTERVALS = (
    (_EVERY_MINUTE, 1, "minute"),
    (_HALF_HOURLY, 30, "minute"),
    (_HOURLY, 1, "hour"),
    (_TWICE_DAILY, 12, "hour"),
)
_UNITS = {
    "minute": "minute",
    "min": "minute",
    "m": "minute",
    "hour": "hour",
    "hr": "hour",
    "h": "hour",
    "hourly": "hour",
    "day": "day",
    "week": "week",
    "month": "month",
}
_NOISE = re.compile(
    r"\b(?:every|each|on|at|in|the|of|morning|mornings|evening|evenings|night|nights)\b"
)
_DAILY = re.compile(r"daily|day|days|nightly|once a day|once daily|a day|per day|everyday|")
_WEEKLY = re.compile(r"weekly|week|once a week")
_MONTHLY = re.compile(
    r"(?:monthly|month|once a month)(?:\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?)?|"
    r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:every\s+|each\s+)?month"
)
_YEARLY = re.compile(r"yearly|annually|year|once a year")
_DAY_LIST_LEFTOVER = re.compile(r"\b(?:and|to|through|thru|weekly|week|s)\b|[,&\-]")
_PM_WORDS = re.compile(r"\b(?:evening|evenings|night|nights|tonight|afternoon)\b")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When syncs run.

    Attributes:
        cron: A five-field cron line, or ``None`` for manual runs only.
        description: The schedule in words, to echo back ("every 6 hours").
        next_run: The first run after ``now``, when a ``now`` was given.
    """

    cron: str | None
    description: str
    next_run: datetime | None = None

    @property
    def manual(self) -> bool:
        """Whether syncs run only when someone asks."""
        return self.cron is None


def _error(text: str, why: str = "") -> ScheduleError:
    listing = ", ".join(f'"{e}"' for e in EXAMPLES[:-1])
    message = why or f'I couldn\'t read "{squash(text) or "that"}" as a schedule.'
    return ScheduleError(
        f'{message} Try {listing}, or "manual" for no schedule.', examples=EXAMPLES
    )


def _cron_line(text: str) -> str | None:
    """``text`` as a cron line if it looks like one; raises if it looks like a broken one."""
    stripped = squash(text)
    if stripped.lower() in _MACROS:
        return _MACROS[stripped.lower()]
    fields = stripped.split()
    if len(fields) == 5 and all(_CRON_FIELD.fullmatch(f) for f in fields):
        if not any(re.search(r"[\d*]", f) for f in fields):
            return None
        if not croniter.is_valid(stripped):
            raise _error(text, f'"{stripped}" is not a valid cron line.')
        return stripped
    if _CRONISH.fullmatch(stripped) and "*" in stripped:
        raise _error(
            text,
            f'"{stripped}" has {len(fields)} fields; a cron line has five '
            "(minute, hour, day of month, month, day of week).",
        )
    return None


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)


def _minute_offset(text: str, low: str) -> tuple[str, int]:
    """``low`` without "at :30" / "at half past", and that minute."""
    past = _PAST.search(low)
    if past is None:
        return low, 0
    word = past.group("m") or past.group("n")
    offset = {"half": 30, "quarter": 15}.get(word) or int(word)
    if offset > 59:
        raise _error(text, f"{offset} minutes past the hour is not a time.")
    return squash(low[: past.start()] + low[past.end() :]), offset


def _every(text: str, n: int, unit: str, offset: int) -> str | None:
    """A cron line for every ``n`` units, or None for one day / week / month."""
    if unit == "minute" and (n == 60 or 60 % n == 0):
        return {1: "* * * * *", 60: "0 * * * *"}.get(n, f"*/{n} * * * *")
    if unit == "hour" and (n == 24 or 24 % n == 0):
        return {1: f"{offset} * * * *", 24: f"{offset} 0 * * *"}.get(n, f"{offset} */{n} * * *")
    if unit in ("day", "week", "month") and n == 1:
        return None  # read as a calendar schedule: "every day at 2am"
    raise _error(text, f"Every {n} {unit}s can't be kept by one cron line.")


def _interval(text: str, low: str) -> str | None:
    """A cron line for "every N minutes / hours" and its kin."""
    low, offset = _minute_offset(text, low)
    for pattern, n, unit in _FIXED_INTERVALS:
        if pattern.fullmatch(low):
            return _every(text, n, unit, offset)
    match = _INTERVAL.fullmatch(low)
    if match is None:
        return None
    count = _count(match.group("n") or match.group("n2"))
    unit = _UNITS[(match.group("unit") or match.group("unit2")).rstrip("s")]
    return _every(text, count, unit, offset) if count else None


def _time_of_day(match: re.Match[str] | None, text: str, *, pm_hint: bool) -> tuple[int, int]:
    if match is None:
        return 0, 0
    if match.group("word"):
        return (12, 0) if match.group("word") == "noon" else (0, 0)
    spoken = match.group(0).strip()
    if match.group("ampm"):
        hour, minute = int(match.group("h")), int(match.group("m") or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise _error(text, f'"{spoken}" is not a time of day.')
        return hour % 12 + (12 if match.group("ampm").startswith("p") else 0), minute
    hour = int(match.group("h24") or match.group("bare"))
    minute = int(match.group("m24") or 0)
    if hour > 23 or minute > 59:
        raise _error(text, f'"{spoken}" is not a time of day.')
    if match.group("bare") and pm_hint and hour < 12:
        hour += 12
    return hour, minute


def _days(rest: str) -> str | None:
    """The day-of-week field for "mondays", "weekdays", "tue and thu"; None if no days."""
    if re.search(
        r"\b(?:weekdays?|work ?days?|business days?|mon[a-z]* (?:to|through|-) fri[a-z]*)\b", rest
    ):
        days = "1-5"
        rest = re.sub(r"\b(?:weekdays?|work ?days?|business days?)\b", " ", rest)
    elif re.search(r"\bweekends?\b", rest):
        days = "0,6"
        rest = re.sub(r"\bweekends?\b", " ", rest)
    else:
        found = sorted({_ABBREVIATIONS.index(m.group(1)) for m in _DAY_WORD.finditer(rest)})
        if not found:
            return None
        days = ",".join(str(d) for d in found)
    leftover = _DAY_LIST_LEFTOVER.sub(" ", _DAY_WORD.sub(" ", rest))
    return days if not leftover.strip() else None


def _calendar(text: str, low: str) -> str | None:
    """A cron line for "daily at 2am", "every monday at 9", "monthly on the 15th"."""
    match = _TIME.search(low)
    rest = squash(low[: match.start()] + " " + low[match.end() :]) if match else low
    hour, minute = _time_of_day(match, text, pm_hint=bool(_PM_WORDS.search(rest)))
    nightly = bool(re.search(r"\b(?:nightly|every night)\b", rest))
    rest = squash(_NOISE.sub(" ", rest))
    days = _days(rest)
    if days is not None:
        return f"{minute} {hour} * * {days}"
    if _DAILY.fullmatch(rest) and (match or rest or nightly):
        return f"{minute} {hour} * * *"
    if _WEEKLY.fullmatch(rest):
        return f"{minute} {hour} * * 1"
    monthly = _MONTHLY.fullmatch(rest)
    if monthly:
        day = int(monthly.group("d") or monthly.group("d2") or 1)
        if not 1 <= day <= 31:
            raise _error(text, f"There is no day {day} in a month.")
        return f"{minute} {hour} {day} * *"
    if _YEARLY.fullmatch(rest):
        return f"{minute} {hour} 1 1 *"
    return None


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
    low = _TAIL.sub("", _LEAD.sub("", low)).strip()
    if not low:
        raise _error(text)
    if _MANUAL.fullmatch(low):
        return Schedule(None, MANUAL_DESCRIPTION)
    cron = _cron_line(fold_quotes(text).strip().strip("`'\"")) or _interval(text, low)
    cron = cron or _calendar(text, low)
    if cron is None:
        raise _error(text)
    next_run = croniter(cron, now).get_next(datetime) if now is not None else None
    return Schedule(cron, describe_cron(cron), next_run)


# -- crons back into words -------------------------------------------------------------------


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _day_number(token: str) -> int | None:
    low = token.lower()
    if low.isdigit() and int(low) <= 7:
        return int(low) % 7
    return _ABBREVIATIONS.index(low) if low in _ABBREVIATIONS else None


def _weekdays(field: str) -> str | None:
    """Words for a day-of-week field ("1-5": weekdays), or None if it is unusual."""
    days: set[int] = set()
    for part in field.split(","):
        first, dash, last = part.partition("-")
        start = _day_number(first)
        end = _day_number(last) if dash else start
        if start is None or end is None:
            return None
        if end < start:  # "1-7" or "MON-SUN": Sunday closes the week
            end += 7
        days.update(d % 7 for d in range(start, end + 1))
    if days == {1, 2, 3, 4, 5}:
        return "weekdays"
    if days == {0, 6}:
        return "weekends"
    if len(days) == 7:
        return "daily"
    order = sorted(days, key=lambda d: (d + 6) % 7)
    return "every " + _join([_DAYS[d] for d in order])


def _times(minute: str, hour: str) -> str | None:
    if not minute.isdigit():
        return None
    hours = hour.split(",")
    if not all(h.isdigit() and int(h) < 24 for h in hours) or int(minute) > 59:
        return None
    return _join([f"{int(h):02d}:{int(minute):02d}" for h in hours])


def _describe_interval(minute: str, hour: str) -> str | None:
    step = re.fullmatch(r"\*/(\d+)", minute)
    if hour == "*" and minute == "*":
        return "every minute"
    if hour == "*" and step:
        return f"every {step.group(1)} minutes"
    if not minute.isdigit() or int(minute) > 59:
        return None
    past = "" if int(minute) == 0 else f" at :{int(minute):02d}"
    hour_step = re.fullmatch(r"\*/(\d+)", hour)
    if hour == "*":
        return "every hour" + past
    return f"every {hour_step.group(1)} hours{past}" if hour_step else None


def _describe_calendar(minute: str, hour: str, dom: str, month: str, dow: str) -> str | None:
    times = _times(minute, hour)
    if times is None:
        return None
    if (dom, month) == ("*", "*"):
        days = "daily" if dow == "*" else _weekdays(dow)
        return f"{days} at {times}" if days else None
    if not (dom.isdigit() and 1 <= int(dom) <= 31 and dow == "*"):
        return None
    if month == "*":
        return f"monthly on the {_ordinal(int(dom))} at {times}"
    if month.isdigit() and 1 <= int(month) <= 12:
        return f"every year on {_MONTHS[int(month) - 1]} {int(dom)} at {times}"
    return None


def describe_cron(cron: str) -> str:
    """Words for a common cron line ("0 */6 * * *": "every 6 hours").

    Lines that are not common come back as "on the schedule <cron>".
    """
    fields = _MACROS.get(squash(cron).lower(), squash(cron)).split()
    words = None
    if len(fields) == 5:
        minute, hour, dom, month, dow = fields
        if (dom, month, dow) == ("*", "*", "*"):
            words = _describe_interval(minute, hour)
        words = words or _describe_calendar(minute, hour, dom, month, dow)
    return words or f"on the schedule {squash(cron)}"
