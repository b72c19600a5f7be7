"""A time zone in the forms people type: "UTC", "Europe/Berlin", "berlin", "new york", "PST".

Used for a schedule with a time of day ("daily at 2am"), which means nothing until its zone
is known. Names resolve to IANA zones (what the scheduler's ``zoneinfo`` takes); a city
resolves when exactly one zone ends with it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import available_timezones

__all__ = ["PLACES", "find_timezone"]

# Abbreviations people use for a zone; daylight-saving forms map to the same place.
_ABBREVIATIONS = {
    "utc": "UTC",
    "gmt": "UTC",
    "zulu": "UTC",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mountain": "America/Denver",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "central": "America/Chicago",
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "eastern": "America/New_York",
    "bst": "Europe/London",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "sgt": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong",
    "msk": "Europe/Moscow",
    "eet": "Europe/Athens",
    "wet": "Europe/Lisbon",
    "hst": "Pacific/Honolulu",
    "akst": "America/Anchorage",
}
# Countries, regions and nicknames people give for a place (a city naming one zone resolves
# on its own: "berlin", "new york", "tokyo").
PLACES = {
    "germany": "Europe/Berlin",
    "german": "Europe/Berlin",
    "central european": "Europe/Berlin",
    "central europe": "Europe/Berlin",
    "uk": "Europe/London",
    "england": "Europe/London",
    "britain": "Europe/London",
    "british": "Europe/London",
    "france": "Europe/Paris",
    "french": "Europe/Paris",
    "spain": "Europe/Madrid",
    "italy": "Europe/Rome",
    "netherlands": "Europe/Amsterdam",
    "holland": "Europe/Amsterdam",
    "dutch": "Europe/Amsterdam",
    "switzerland": "Europe/Zurich",
    "swiss": "Europe/Zurich",
    "austria": "Europe/Vienna",
    "poland": "Europe/Warsaw",
    "ireland": "Europe/Dublin",
    "india": "Asia/Kolkata",
    "indian": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "japan": "Asia/Tokyo",
    "singapore": "Asia/Singapore",
    "australia": "Australia/Sydney",
    "ny": "America/New_York",
    "nyc": "America/New_York",
    "east coast": "America/New_York",
    "boston": "America/New_York",
    "west coast": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "california": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "texas": "America/Chicago",
    "austin": "America/Chicago",
    "dallas": "America/Chicago",
}
# "UTC+2", "GMT -5": IANA's Etc zones count the other way round (Etc/GMT-2 is UTC+2).
_OFFSET = re.compile(
    r"(?:\b(?:in|at)\s+)?\b(?:utc|gmt)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?00)?\b(?![:.]\d)"
    r"(?:\s+(?:time|timezone|time\s+zone|tz)\b)?",
    re.IGNORECASE,
)
_LEAD = re.compile(r"\s*(?:,\s*)?(?:\b(?:in|at|using|on)\s+)?(?:the\s+)?$", re.IGNORECASE)
_TAIL_WORDS = re.compile(r"^\s*(?:time|timezone|time\s+zone|tz)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Lower-case name -> IANA zone: full names, and cities that name one zone only."""
    zones = {z.lower(): z for z in available_timezones()}
    cities: dict[str, list[str]] = {}
    for zone in zones.values():
        if "/" in zone:
            city = zone.rsplit("/", 1)[1].lower().replace("_", " ")
            cities.setdefault(city, []).append(zone)
    for city, found in cities.items():
        if len(found) == 1 and city not in zones:
            zones[city] = found[0]
    return zones


def find_timezone(text: str) -> tuple[str | None, str]:
    """The time zone named in ``text``, and the text without it (and its "in" / "time").

    Returns:
        ``(zone, rest)``; ``(None, text)`` when no zone is named.
    """
    offset = _OFFSET.search(text)
    if offset is not None and int(offset.group("h")) <= 14:
        hours = int(offset.group("h"))
        sign = "-" if offset.group("sign") == "+" else "+"
        fixed = f"Etc/GMT{sign}{hours}" if hours else "UTC"
        return fixed, f"{text[: offset.start()]} {text[offset.end() :]}".strip(" ,")
    zones = _zones()
    words = list(re.finditer(r"[A-Za-z][A-Za-z_+\-/0-9]*", text))
    # The longest run of words that names a zone wins ("new york" over "york").
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            run = words[i : i + size]
            phrase = " ".join(w.group(0) for w in run).lower().replace("_", " ")
            zone = (
                _ABBREVIATIONS.get(phrase)
                or PLACES.get(phrase)
                or zones.get(phrase)
                or zones.get(phrase.replace(" ", "_"))
            )
            if zone is None:
                continue
            before = _LEAD.sub("", text[: run[0].start()])
            after = _TAIL_WORDS.sub("", text[run[-1].end() :])
            return zone, f"{before} {after}".strip(" ,")
    return None, text
