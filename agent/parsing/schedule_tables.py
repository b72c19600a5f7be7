"""The words schedules are said in: tables a person can extend.

Read by :mod:`agent.parsing.schedule_words`, which takes each slot out of the text in turn.
Add a misspelling to :data:`TYPOS`, a part of the day to :data:`PARTS_OF_DAY`, a set of days
to :data:`DAY_SETS`, a word that may be ignored to :data:`FILLER_WORDS`.
"""

from __future__ import annotations

from agent.parsing.numbers import NUMBER_WORDS, ORDINAL_WORDS

__all__ = [
    "CLOCK_WORDS",
    "DAY_SETS",
    "FILLER",
    "FILLER_WORDS",
    "NOISE_PHRASES",
    "NUMBER_WORDS",
    "ORDINAL_WORDS",
    "PARTS_OF_DAY",
    "PM_PARTS",
    "TIMES_WORDS",
    "TYPOS",
    "WORKING_HOURS",
]

# Misspellings seen in schedules, mended before anything else is read.
TYPOS = {
    "evry": "every",
    "evrey": "every",
    "eveyr": "every",
    "dialy": "daily",
    "daliy": "daily",
    "dayly": "daily",
    "hourley": "hourly",
    "horly": "hourly",
    "hourlly": "hourly",
    "weekdys": "weekdays",
    "wekdays": "weekdays",
    "weeekdays": "weekdays",
    "wkdays": "weekdays",
    "weekly's": "weekly",
    "minuts": "minutes",
    "minuets": "minutes",
    "mintues": "minutes",
    "hous": "hours",
    "houres": "hours",
    "mornin": "morning",
    "moring": "morning",
    "evenin": "evening",
    "evning": "evening",
    "nite": "night",
    "nitely": "nightly",
    "nighty": "nightly",
    "midnite": "midnight",
    "twise": "twice",
    "twcie": "twice",
    "tiems": "times",
    "mondy": "monday",
    "wensday": "wednesday",
    "wednsday": "wednesday",
    "thurday": "thursday",
    "firday": "friday",
    "satruday": "saturday",
    "m-f": "monday to friday",
}
# Phrases that say nothing a cron line keeps ("hourly, on the hour"); so does "ish" ("7ish").
NOISE_PHRASES = (
    r"on the hour",
    r"on the dot",
    r"sharp",
    r"(?:at\s+)?(?:the\s+)?top\s+of(?=\s+(?:the|every|each)\s+hour)",
)
# How many times per unit: "twice a day", "3x daily", "4 times an hour".
TIMES_WORDS = {"once": 1, "twice": 2, "thrice": 3}
# A part of the day without a clock time: the hour it means.
PARTS_OF_DAY = {
    "early morning": 5,
    "first thing": 6,
    "start of the day": 6,
    "start of day": 6,
    "morning": 6,
    "mornings": 6,
    "lunchtime": 12,
    "lunch time": 12,
    "lunch": 12,
    "afternoon": 15,
    "afternoons": 15,
    "end of the day": 18,
    "end of day": 18,
    "eod": 18,
    "close of business": 18,
    "after work": 18,
    "evening": 18,
    "evenings": 18,
    "overnight": 2,
    "nightly": 0,
    "night": 0,
    "nights": 0,
}
# Parts of the day that make a bare hour an afternoon one ("every evening at 7" is 19:00).
PM_PARTS = frozenset({"afternoon", "afternoons", "evening", "evenings", "night", "nights"})
# Clock words that are times of their own.
CLOCK_WORDS = {"noon": 12, "midday": 12, "midnight": 0}
# Hour ranges said as one phrase; they mean working days too unless days are named.
WORKING_HOURS = ("business hours", "office hours", "working hours", "work hours")
DAY_SETS = {
    "weekdays": "1-5",
    "weekday": "1-5",
    "week days": "1-5",
    "workdays": "1-5",
    "workday": "1-5",
    "work days": "1-5",
    "working days": "1-5",
    "working day": "1-5",
    "business day": "1-5",
    "business days": "1-5",
    "except weekends": "1-5",
    "not on weekends": "1-5",
    "excluding weekends": "1-5",
    "weekends": "0,6",
    "weekend": "0,6",
}
# Words that may be left over: they carry no schedule of their own (space-separated).
FILLER_WORDS = """
every each on at in the of a an and or per from to also then run runs sync syncs check pull
pulls time times clock o'clock oclock around about approx approximately by it them should be
will would like want i i'd we we'd need needs please pls plz thx thanks ok okay just only
let's lets go with make set have starting start schedule scheduled do is fine good works
sounds that's that this data new for now i'll we'll
"""
FILLER = frozenset(FILLER_WORDS.split())
