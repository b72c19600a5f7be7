"""Schedules in words, read as slots: how often, at which clock times, on which days.

"twice a day", "every weekday at 7", "each monday morning", "at 6 and 18", "hourly on
weekdays", "every hour between 9 and 17", "first of the month". Each slot is taken out of
the text in turn (hour range, frequency, day of the month, clock times, parts of the day,
days of the week); whatever is left must be filler words (:data:`FILLER`), so "sometimes"
is refused rather than read as daily. New words go in :mod:`agent.parsing.schedule_tables`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from agent.parsing.errors import ScheduleError
from agent.parsing.schedule_tables import (
    CLOCK_WORDS,
    DAY_SETS,
    FILLER,
    NOISE_PHRASES,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    PARTS_OF_DAY,
    PM_PARTS,
    TIMES_WORDS,
    TYPOS,
    WORKING_HOURS,
)
from agent.parsing.text import squash

__all__ = ["EXAMPLES", "FILLER", "Reading", "read_words", "schedule_error"]

EXAMPLES = ("every 6 hours", "daily at 2am", "every monday at 9", "0 */6 * * *", "manual")


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DAY = (
    r"(?:sun(?:day)?|mon(?:day)?|tue(?:s|sday)?|wed(?:s|nesday)?|thu(?:r|rs|rsday)?|"
    r"fri(?:day)?|sat(?:urday)?)s?"
)
_DAY_WORD = re.compile(rf"\b{_DAY}\b")
_DAY_RANGE = re.compile(rf"\b(?:from\s+)?({_DAY})\s*(?:-|to|through|thru|till|until)\s*({_DAY})\b")
_PER = re.compile(
    r"\b(?P<count>once|twice|thrice|\d+\s*(?:times|x))\s*(?:(?:a|an|in|per|each|every|the)\s+|/\s*)*"
    r"(?P<unit>minute|hour|day|week|month|year)\b|"
    r"\b(?P<count2>once|twice|thrice|\d+\s*(?:times|x))\s+(?P<ly>hourly|daily|weekly|monthly)\b"
)
_EVERY = re.compile(
    r"\b(?:every|each|once every|once each)\s+(?:(?P<n>\d+)(?:st|nd|rd|th)?|(?P<word>other|"
    r"couple(?: of)?|half(?: an?)?|quarter(?: of an?)?))?[\s-]*"
    r"(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|weeks?|months?|years?)\b"
)
_LY = re.compile(
    r"\b(?:(?P<n>\d+)[\s-]?hourly|(?P<part>half|quarter)[\s-]?hourly|(?P<ly>minutely|hourly|"
    r"daily|everyday|weekly|monthly|yearly|annually))\b|"
    r"\b(?:a|per|each)\s+(?P<unit>day|week|month|year)\b"
)
_UNITS = {
    "m": "minute",
    "min": "minute",
    "minute": "minute",
    "h": "hour",
    "hr": "hour",
    "hour": "hour",
    "day": "day",
    "week": "week",
    "month": "month",
    "year": "year",
    "minutely": "minute",
    "hourly": "hour",
    "daily": "day",
    "everyday": "day",
    "weekly": "week",
    "monthly": "month",
    "yearly": "year",
    "annually": "year",
}
_STEP_WORDS = {"other": 2, "couple": 2, "couple of": 2, "half": 30, "half a": 30, "half an": 30}
_CLOCK = r"(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?|am|pm)?"
_RANGE = re.compile(
    rf"\b(?:between|from)\s+{_CLOCK}\s*(?:and|to|till|until|-)\s*{_CLOCK}(?![\w:])|"
    rf"(?<![\d:])\b{_CLOCK}\s*(?:-|to|till|until)\s*{_CLOCK}(?![\w:])"
)
_DOM = re.compile(
    r"\b(?:on\s+)?(?:the\s+)?(?:day\s+(?P<n>\d{1,2})\b(?=\s+of\b)|(?P<d>\d{1,2})(?:st|nd|rd|th)\b)"
    r"(?:\s*(?:,|and|&)\s*(?:the\s+)?(?P<more>\d{1,2})(?:st|nd|rd|th)\b)?"
)
_LAST_DAY = re.compile(
    r"\b(?:on\s+)?(?:the\s+)?(?:last(?:\s+day)?|end)\s+of\s+(?:the\s+|each\s+|every\s+|a\s+)?month\b|"
    r"\b(?:at\s+|on\s+)?(?:the\s+)?month[\s-]end\b"
)
_MONTH_WORDS = re.compile(r"\b(?:of\s+)?(?:the|each|every|a)\s+month\b")
_TIME = re.compile(
    r"(?P<at>(?:\b(?:at|around|about|by)|@)\s*)?(?:\b(?P<word>noon|midday|midnight)\b|"
    r"(?<![\d:/.\-])\b(?P<h>\d{1,2})(?:(?:[:.]|h)(?P<m>\d{2})|(?P<hs>h))?"
    r"(?:\s*(?P<ampm>a\.?m\.?|p\.?m\.?)(?![a-z]))?(?P<oclock>\s*o'?clock)?(?![\w:]))"
)
_NOISE = re.compile(r"\b(?:" + "|".join(NOISE_PHRASES) + r")\b|(?<=\d)\s*-?ish\b")
_FOUR_DIGITS = re.compile(r"(\bat|@)\s*([01]\d|2[0-3])([0-5]\d)\b")
_WORD = re.compile(r"(?<![\w-])[a-z'-]+(?![\w-])")


def _one_of(words: Iterable[str]) -> str:
    """An alternation of ``words``, longest first so "working days" wins over "working day"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMBER = re.compile(rf"\b(?:{_one_of(NUMBER_WORDS)})\b")
# "first thing in the morning" is a part of the day, not the 1st of a month.
_ORDINAL = re.compile(rf"\b(?:{_one_of(ORDINAL_WORDS)})\b(?!\s+thing)")
_PART = re.compile(rf"\b(?:in\s+the\s+|at\s+|every\s+|each\s+)?(?P<part>{_one_of(PARTS_OF_DAY)})\b")
_DAY_SET = re.compile(rf"\b(?:on\s+|every\s+|each\s+)?(?P<set>{_one_of(DAY_SETS)})\b")
_WORKING_HOURS = re.compile(rf"\b(?:during\s+|in\s+)?(?:{_one_of(WORKING_HOURS)})\b")
_LIST = re.compile(r"\s*(?:,|and|&|\+|/|or)\s*(?:and\s+)?(?:at\s+)?$")


@dataclass(frozen=True, slots=True)
class Reading:
    """What a schedule in words comes to.

    Attributes:
        cron: The cron line.
        clock: Whether clock times were named (so the time zone matters).
        times_only: Whether only clock times were named ("make it 10pm"), so a schedule
            already chosen may keep its days.
    """

    cron: str
    clock: bool
    times_only: bool


@dataclass
class _Slots:
    """What the words said, slot by slot."""

    unit: str | None = None  # "minute", "hour", "day", "week", "month", "year"
    step: int = 1
    per_day: int | None = None  # "twice a day": runs per day when no times are named
    offset: int = 0  # minutes past the hour for hourly runs
    hours: tuple[int, int] | None = None  # "between 9 and 17"
    times: list[tuple[int, int]] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    days: str | None = None
    dom: list[int] = field(default_factory=list)
    several: bool = False  # "twice a week": the days must be named
    last_day: bool = False  # "last day of the month"


def schedule_error(text: str, why: str = "") -> ScheduleError:
    """A schedule error that names what was not understood and offers examples."""
    listing = ", ".join(f'"{e}"' for e in EXAMPLES[:-1])
    message = why or f'I couldn\'t read "{squash(text) or "that"}" as a schedule.'
    return ScheduleError(
        f'{message} Try {listing}, or "manual" for no schedule.', examples=EXAMPLES
    )


def _spell_out(low: str) -> str:
    """``low`` with typos mended and numbers as digits ("seven" is 7, "first" 1st, "0700")."""
    low = _NOISE.sub(" ", _FOUR_DIGITS.sub(r"\1 \2:\3", low))
    low = _WORD.sub(lambda m: TYPOS.get(m.group(0), m.group(0)), low)
    low = _NUMBER.sub(lambda m: str(NUMBER_WORDS[m.group(0)]), low)
    return _ORDINAL.sub(lambda m: _ordinal(ORDINAL_WORDS[m.group(0)]), low)


def _ordinal(n: int) -> str:
    return f"{n}{_suffix(n)}"


def _suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _cut(low: str, match: re.Match[str]) -> str:
    return low[: match.start()] + " " + low[match.end() :]


def _hour(text: str, h: str, m: str | None, ampm: str | None) -> tuple[int, int]:
    hour, minute = int(h), int(m or 0)
    if ampm:
        if not 1 <= hour <= 12 or minute > 59:
            raise schedule_error(text, f'"{h}{":" + m if m else ""}{ampm}" is not a time of day.')
        return hour % 12 + (12 if ampm.startswith("p") else 0), minute
    if hour > 23 or minute > 59:
        raise schedule_error(text, f'"{h}:{m or "00"}" is not a time of day.')
    return hour, minute


def _take_range(text: str, low: str, slots: _Slots) -> str:
    working = _WORKING_HOURS.search(low)
    if working is not None:
        slots.hours, slots.days = (9, 17), "1-5"
        return _cut(low, working)
    match = _RANGE.search(low)
    if match is None:
        return low
    groups = list(match.groups())
    h1, m1, a1, h2, m2, a2 = groups[:6] if groups[0] else groups[6:]
    start = _hour(text, h1, m1, a1)[0]
    end = _hour(text, h2, m2, a2)[0]
    if not a2 and end < start and end <= 12:
        end += 12  # "from 9 to 5" ends in the afternoon
    if end <= start:
        raise schedule_error(text, f"{start:02d}:00 to {end:02d}:00 is not a range of hours.")
    slots.hours = (start, end)
    return _cut(low, match)


def _take_frequency(text: str, low: str, slots: _Slots) -> str:
    """How often: "twice a day", "every 15 minutes", "hourly", "weekly"."""
    for take in (_take_per, _take_every, _take_ly):
        taken = take(text, low, slots)
        if taken is not None:
            return taken
    return low


def _take_per(text: str, low: str, slots: _Slots) -> str | None:
    per = _PER.search(low)
    if per is None:
        return None
    word = (per.group("count") or per.group("count2")).replace("times", "").replace("x", "")
    count = TIMES_WORDS.get(word.strip()) or int(word.strip())
    unit = per.group("unit") or _UNITS[per.group("ly")]
    if unit == "day":
        slots.unit, slots.per_day = "day", count
    elif unit == "hour" and count and 60 % count == 0:
        slots.unit, slots.step = "minute", 60 // count
    elif unit == "hour":
        raise schedule_error(text, f"{count} times an hour can't be kept by one cron line.")
    else:
        slots.unit, slots.several = unit, count > 1
    return _cut(low, per)


def _take_every(text: str, low: str, slots: _Slots) -> str | None:
    every = _EVERY.search(low)
    if every is None:
        return None
    unit = _UNITS[every.group("unit").rstrip("s")]
    word = every.group("word") or ""
    step = int(every.group("n")) if every.group("n") else _STEP_WORDS.get(word, 1)
    if word.startswith(("half", "quarter")):
        if unit != "hour":
            raise schedule_error(text)
        unit, step = "minute", 15 if word.startswith("quarter") else 30
    slots.unit, slots.step = unit, step
    return _cut(low, every)


def _take_ly(_text: str, low: str, slots: _Slots) -> str | None:
    ly = _LY.search(low)
    if ly is None:
        return None
    if ly.group("n"):
        slots.unit, slots.step = "hour", int(ly.group("n"))
    elif ly.group("part"):
        slots.unit, slots.step = "minute", 30 if ly.group("part") == "half" else 15
    else:
        slots.unit = _UNITS[ly.group("ly") or ly.group("unit")]
    return _cut(low, ly)


def _take_days_of_month(text: str, low: str, slots: _Slots) -> str:
    last = _LAST_DAY.search(low)
    if last is not None:
        slots.last_day = True  # cron's "L": the 28th to the 31st, as the month has it
        return _cut(low, last)
    match = _DOM.search(low)
    if match is None:
        return low
    days = [int(d) for d in (match.group("n") or match.group("d"), match.group("more")) if d]
    for day in days:
        if not 1 <= day <= 31:
            raise schedule_error(text, f"There is no day {day} in a month.")
    slots.dom = days
    low = _cut(low, match)
    return _MONTH_WORDS.sub(" ", low)


def _time_matches(low: str) -> list[re.Match[str]]:
    """The clock times in ``low``.

    Marked ones ("at 7", "7pm", "19:30") and those listed after them ("at 6 and 18"); else
    bare hours ("daily 7"), unless they count something ("every 7").
    """
    found: list[re.Match[str]] = []
    for match in _TIME.finditer(low):
        strong = any(match.group(g) for g in ("at", "word", "m", "hs", "ampm", "oclock"))
        if strong or (found and _LIST.fullmatch(low[found[-1].end() : match.start()])):
            found.append(match)
    if found:
        return found
    for match in _TIME.finditer(low):
        if re.search(r"every\s*$", low[: match.start()]):
            continue
        if not found or _LIST.fullmatch(low[found[-1].end() : match.start()]):
            found.append(match)
    return found


def _take_times(text: str, low: str, slots: _Slots) -> str:
    found = _time_matches(low)
    pm = any(p in PM_PARTS for p in slots.parts)
    night = "night" in " ".join(slots.parts)
    for match in found:
        if match.group("word"):
            slots.times.append((CLOCK_WORDS[match.group("word")], 0))
            continue
        ampm = (match.group("ampm") or "").replace(".", "") or None
        hour, minute = _hour(text, match.group("h"), match.group("m"), ampm)
        if match.group("m") is None and slots.offset:
            minute = slots.offset  # "daily at half past 7": the "half past" was read first
        if ampm is None and hour < 12:
            if pm and not (night and hour < 6):
                hour += 12  # "every evening at 7"; "every night at 2" stays 02:00
            elif slots.times and hour < slots.times[-1][0]:
                hour += 12  # "at 9 and 5": the second one is later in the day
        slots.times.append((hour, minute))
    for match in reversed(found):
        low = _cut(low, match)
    return low


def _take_parts(low: str, slots: _Slots) -> str:
    slots.parts.extend(m.group("part") for m in _PART.finditer(low))
    return _PART.sub(" ", low)


def _day_index(word: str) -> int:
    return _DAY_NAMES.index(word[:3])


def _take_days(low: str, slots: _Slots) -> str:
    days: set[int] = set()
    for match in _DAY_SET.finditer(low):
        days.update(_expand(DAY_SETS[match.group("set")]))
    low = _DAY_SET.sub(" ", low)
    for match in list(_DAY_RANGE.finditer(low)):
        start, end = _day_index(match.group(1)), _day_index(match.group(2))
        end += 7 if end < start else 0
        days.update(d % 7 for d in range(start, end + 1))
    low = _DAY_RANGE.sub(" ", low)
    days.update(_day_index(m.group(0)) for m in _DAY_WORD.finditer(low))
    low = _DAY_WORD.sub(" ", low)
    if days:
        slots.days = _day_field(days)
    return low


def _expand(field_: str) -> set[int]:
    if "-" in field_:
        start, end = field_.split("-")
        return set(range(int(start), int(end) + 1))
    return {int(d) for d in field_.split(",")}


def _day_field(days: set[int]) -> str:
    if days == {1, 2, 3, 4, 5}:
        return "1-5"
    if len(days) == 7:
        return "*"
    return ",".join(str(d) for d in sorted(days))


def _leftover(low: str) -> list[str]:
    words = re.findall(r"[a-z0-9'@]+", low)
    return [w for w in words if w not in FILLER and w != "@"]


def _clock(text: str, slots: _Slots) -> tuple[str, str]:
    """The minute and hour fields."""
    if slots.unit == "minute":
        if slots.step >= 60 and slots.step % 60 == 0:
            slots.unit, slots.step = "hour", slots.step // 60
        else:
            return _every_minutes(text, slots)
    if slots.unit == "hour" or (slots.per_day and slots.per_day > 1 and not slots.times):
        step = slots.step if slots.unit == "hour" else _per_day_step(text, slots.per_day or 1)
        if slots.unit == "hour" and len(slots.times) == 1 and slots.hours is None:
            # "every 6 hours starting at 1:30": from that time on, to the end of the day.
            start, slots.offset = slots.times[0]
            slots.hours = (start, 23) if start else None
        return _every_hours(text, slots, step)
    if slots.hours is not None:
        raise schedule_error(text, 'How often between those hours? Say e.g. "hourly from 9 to 17".')
    return _clock_fields(text, slots)


def _every_minutes(text: str, slots: _Slots) -> tuple[str, str]:
    step = slots.step
    if step < 1 or 60 % step:
        raise schedule_error(text, f"Every {step} minutes can't be kept by one cron line.")
    minute = "*" if step == 1 else f"*/{step}"
    if slots.hours is None:
        return minute, "*"
    start, end = slots.hours  # "every 15 minutes from 9 to 17": the last run is 16:45
    return minute, str(start) if end - 1 == start else f"{start}-{end - 1}"


def _every_hours(text: str, slots: _Slots, step: int) -> tuple[str, str]:
    if step == 24 and slots.hours is None:
        return str(slots.offset), "0"
    if step < 1 or 24 % step:
        raise schedule_error(text, f"Every {step} hours can't be kept by one cron line.")
    if slots.hours is not None:
        start, end = slots.hours
        return str(slots.offset), f"{start}-{end}" + ("" if step == 1 else f"/{step}")
    return str(slots.offset), "*" if step == 1 else f"*/{step}"


def _per_day_step(text: str, count: int) -> int:
    if count < 1 or 24 % count:
        raise schedule_error(
            text, f"{count} times a day can't be kept by one cron line; name the times."
        )
    return 24 // count


def _clock_fields(text: str, slots: _Slots) -> tuple[str, str]:
    if slots.times:
        minutes = {m for _, m in slots.times}
        if len(minutes) > 1:
            raise schedule_error(
                text, "Times with different minutes can't be kept by one cron line."
            )
        hours = sorted({h for h, _ in slots.times})
        return str(minutes.pop()), ",".join(str(h) for h in hours)
    hours = sorted({PARTS_OF_DAY[p] for p in slots.parts}) or [0]
    return "0", ",".join(str(h) for h in hours)


def read_words(text: str, low: str, offset: int = 0) -> Reading | None:
    """The cron line ``low`` says in words, and whether it names clock times.

    Args:
        text: What the person typed, for error messages.
        low: The same text lower-cased and tidied, without "at :15" (that is ``offset``).
        offset: Minutes past the hour for hourly runs ("hourly at :15").

    Returns:
        The reading, or ``None`` when the words are not a schedule.

    Raises:
        ScheduleError: Words that ask for what one cron line cannot keep.
    """
    slots = _Slots(offset=offset)
    low = _spell_out(low)
    low = _take_range(text, low, slots)
    low = _take_frequency(text, low, slots)
    low = _take_days_of_month(text, low, slots)
    low = _take_parts(low, slots)
    low = _take_times(text, low, slots)
    low = _take_days(low, slots)
    if _leftover(low):
        return None
    besides_times = (slots.unit, slots.parts, slots.days, slots.dom, slots.hours, slots.last_day)
    if not (any(besides_times) or slots.times):
        return None
    if slots.unit in ("day", "week", "month", "year") and slots.step != 1:
        raise schedule_error(
            text, f"Every {slots.step} {slots.unit}s can't be kept by one cron line."
        )
    if slots.unit == "week" and slots.several and not slots.days:
        raise schedule_error(text, 'Which days? Say e.g. "mondays and thursdays at 9".')
    minute, hour = _clock(text, slots)
    dom, month, dow = "*", "*", slots.days or "*"
    if slots.dom or slots.unit == "month" or slots.last_day:
        dom = "L" if slots.last_day else ",".join(str(d) for d in slots.dom) or "1"
    if slots.unit == "year":
        dom, month = ",".join(str(d) for d in slots.dom) or "1", "1"
    if slots.unit == "week" and dow == "*":
        dow = "1"
    times_only = not any(besides_times)
    return Reading(
        f"{minute} {hour} {dom} {month} {dow}", bool(slots.times or slots.hours), times_only
    )
