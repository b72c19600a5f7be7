"""Cron lines back into words, to echo a schedule: "0 */6 * * *" is "every 6 hours".

Common shapes get words ("weekdays at 07:00", "every hour from 09:00 to 17:00 on
weekdays", "monthly on the 1st and 15th at 06:00"); anything else comes back as "on the
schedule <cron>" rather than as words that might be wrong.
"""

from __future__ import annotations

import re

from agent.parsing.text import squash

__all__ = ["MACROS", "describe_cron"]

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ABBREVIATIONS = tuple(d[:3].lower() for d in _DAYS)
_MONTHS = (
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
)
_STEP = re.compile(r"\*/(\d+)")
_RANGE = re.compile(r"(\d{1,2})-(\d{1,2})(?:/(\d+))?")


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


def _day_set(field: str) -> set[int] | None:
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
    return days


def _weekdays(field: str) -> str | None:
    """Words for a day-of-week field ("1-5": weekdays), or None if it is unusual."""
    days = _day_set(field)
    if days is None:
        return None
    if days == {1, 2, 3, 4, 5}:
        return "weekdays"
    if days == {0, 6}:
        return "weekends"
    if len(days) == 7:
        return "daily"
    order = sorted(days, key=lambda d: (d + 6) % 7)
    return "every " + _join([_DAYS[d] for d in order])


def _on_days(field: str) -> str | None:
    """The days as a tail (' on weekdays'), empty for every day; None if unusual."""
    if field == "*":
        return ""
    words = _weekdays(field)
    if words is None:
        return None
    if words == "daily":
        return ""
    return " on " + words.removeprefix("every ")


def _times(minute: str, hour: str) -> str | None:
    if not minute.isdigit():
        return None
    hours = hour.split(",")
    if not all(h.isdigit() and int(h) < 24 for h in hours) or int(minute) > 59:
        return None
    return _join([f"{int(h):02d}:{int(minute):02d}" for h in hours])


def _hour_window(minute: str, hour: str) -> str | None:
    """An hour range as a tail (' from 09:00 to 17:00'), empty for all hours; None if unusual."""
    if hour == "*":
        return ""
    match = _RANGE.fullmatch(hour)
    if match is None:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    step = int(match.group(3) or 1)
    if not start < end < 24:
        return None
    last = start + (end - start) // step * step
    if minute.isdigit():
        first_minute = last_minute = int(minute)
    else:
        every = _STEP.fullmatch(minute)
        first_minute = 0
        last_minute = 60 - int(every.group(1)) if every else 59
    return f" from {start:02d}:{first_minute:02d} to {last:02d}:{last_minute:02d}"


def _describe_interval(minute: str, hour: str) -> str | None:
    window = _hour_window(minute, hour)
    if window is None:
        return _describe_hour_step(minute, hour)
    if minute == "*":
        return "every minute" + window
    step = _STEP.fullmatch(minute)
    if step:
        return f"every {step.group(1)} minutes{window}"
    if not minute.isdigit() or int(minute) > 59:
        return None
    hour_range = _RANGE.fullmatch(hour)
    if hour_range and hour_range.group(3):
        return f"every {hour_range.group(3)} hours{window}"
    past = "" if int(minute) == 0 or window else f" at :{int(minute):02d}"
    return "every hour" + past + window


def _describe_hour_step(minute: str, hour: str) -> str | None:
    """Words like 'every 6 hours' for ``0 */6``, with the minute past the hour when it is not 0."""
    hour_step = _STEP.fullmatch(hour)
    if not (hour_step and minute.isdigit() and int(minute) <= 59):
        return None
    past = "" if int(minute) == 0 else f" at :{int(minute):02d}"
    return f"every {hour_step.group(1)} hours{past}"


def _days_of_month(dom: str) -> str | None:
    if dom == "L":
        return "last day"
    days = dom.split(",")
    if not all(d.isdigit() and 1 <= int(d) <= 31 for d in days):
        return None
    return _join([_ordinal(int(d)) for d in days])


def _describe_calendar(minute: str, hour: str, dom: str, month: str, dow: str) -> str | None:
    times = _times(minute, hour)
    if times is None:
        return None
    if (dom, month) == ("*", "*"):
        days = "daily" if dow == "*" else _weekdays(dow)
        return f"{days} at {times}" if days else None
    monthly = _days_of_month(dom)
    if monthly is None or dow != "*":
        return None
    if month == "*":
        return f"monthly on the {monthly} at {times}"
    if month.isdigit() and 1 <= int(month) <= 12 and dom.isdigit():
        return f"every year on {_MONTHS[int(month) - 1]} {int(dom)} at {times}"
    return None


def describe_cron(cron: str) -> str:
    """Words for a common cron line ("0 */6 * * *": "every 6 hours").

    Lines that are not common come back as "on the schedule <cron>".
    """
    fields = MACROS.get(squash(cron).lower(), squash(cron)).split()
    words = None
    if len(fields) == 5:
        minute, hour, dom, month, dow = fields
        if (dom, month) == ("*", "*") and not _times(minute, hour):
            interval = _describe_interval(minute, hour)
            days = _on_days(dow)
            if interval is not None and days is not None:
                words = interval + days
        words = words or _describe_calendar(minute, hour, dom, month, dow)
    return words or f"on the schedule {squash(cron)}"
