"""AWS regions by the names people use: "frankfurt", "Ireland", "eu central", "US East (Ohio)".

The console names a region by its area and place ("Europe (Frankfurt)"), people by a city or a
country ("frankfurt", "germany"), or by the code without its number ("eu central"). A code
typed out ("eu-central-1", "EU_CENTRAL_1") is taken as it is. A place wins over an area
("US East (Ohio)" is us-east-2, not us-east-1), and an area alone means its first region.

:data:`REGIONS` is the table: extend it when AWS opens a region or people use a new name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from rapidfuzz import fuzz, process

__all__ = ["REGIONS", "region_code", "split_region"]

# Region code -> the places people call it by (cities, countries, states), lower case.
REGIONS: Final[MappingProxyType[str, tuple[str, ...]]] = MappingProxyType(
    {
        "us-east-1": ("virginia", "n virginia", "northern virginia", "north virginia", "ashburn"),
        "us-east-2": ("ohio", "columbus"),
        "us-west-1": ("california", "n california", "northern california", "san francisco"),
        "us-west-2": ("oregon", "portland"),
        "ca-central-1": ("canada", "central canada", "montreal", "montréal", "quebec"),
        "ca-west-1": ("calgary", "west canada", "western canada"),
        "mx-central-1": ("mexico",),
        "sa-east-1": ("sao paulo", "são paulo", "brazil", "brasil"),
        "eu-central-1": ("frankfurt", "germany", "deutschland"),
        "eu-central-2": ("zurich", "zürich", "switzerland"),
        "eu-west-1": ("ireland", "dublin"),
        "eu-west-2": ("london", "uk", "united kingdom", "england", "britain", "great britain"),
        "eu-west-3": ("paris", "france"),
        "eu-south-1": ("milan", "milano", "italy"),
        "eu-south-2": ("spain", "aragon", "madrid"),
        "eu-north-1": ("stockholm", "sweden"),
        "il-central-1": ("tel aviv", "israel"),
        "me-south-1": ("bahrain",),
        "me-central-1": ("uae", "united arab emirates", "dubai"),
        "af-south-1": ("cape town", "south africa"),
        "ap-east-1": ("hong kong",),
        "ap-south-1": ("mumbai", "bombay", "india"),
        "ap-south-2": ("hyderabad",),
        "ap-southeast-1": ("singapore",),
        "ap-southeast-2": ("sydney", "australia"),
        "ap-southeast-3": ("jakarta", "indonesia"),
        "ap-southeast-4": ("melbourne",),
        "ap-southeast-5": ("malaysia", "kuala lumpur"),
        "ap-southeast-7": ("thailand", "bangkok"),
        "ap-northeast-1": ("tokyo", "japan"),
        "ap-northeast-2": ("seoul", "korea", "south korea"),
        "ap-northeast-3": ("osaka",),
        "cn-north-1": ("beijing",),
        "cn-northwest-1": ("ningxia",),
    }
)

# Words that say "a region" without naming one: "the aws region eu central", "Europe (Paris)".
_NOISE: Final = frozenset(
    {
        "aws",
        "amazon",
        "region",
        "the",
        "in",
        "is",
        "its",
        "it's",
        "europe",
        "asia",
        "pacific",
        "america",
        "south",
        "north",
        "middle",
        "east",
        "west",
        "central",
        "us",
        "eu",
        "pls",
        "please",
        "thx",
        "thanks",
        "one",
    }
)
_CODE: Final = re.compile(r"\b([a-z]{2}(?:-gov)?-(?:[a-z]+-)*[a-z]+-\d{1,2})\b")
_AREA: Final = re.compile(
    r"\b(us|eu|ap|sa|ca|me|af|il|mx|cn)[\s_-]+"
    r"((?:north|south)?(?:[\s_-]?(?:east|west|central))?|north|south)(?:[\s_-]+(\d{1,2}))?\b"
)
# "acme in frankfurt": a one-word value, then where it is.
_VALUE_IN_PLACE: Final = re.compile(
    r"(?P<value>[^\s,]+)\s*,?\s+(?:(?:it's|it\s+is|which\s+is|that\s+is|located|hosted)\s+)?"
    r"(?:in|at)\s+(?:the\s+)?(?:region\s+)?(?P<place>\S.*)",
    re.IGNORECASE,
)
# A place typed with a small slip ("frankfrut") still names it; short words must be exact.
_FUZZY_MIN_LENGTH: Final = 5
_CUTOFF: Final = 85.0
_MAX_NGRAM: Final = 3


def _fold(text: str) -> str:
    """Lower case without accents, punctuation as spaces: "São Paulo," -> "sao paulo"."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9_\-']+", " ", plain).split())


@lru_cache(maxsize=1)
def _places() -> dict[str, str]:
    """Folded place name -> region code."""
    return {_fold(name): code for code, names in REGIONS.items() for name in names}


def _grams(words: list[str]) -> list[str]:
    return [
        " ".join(words[i : i + n])
        for n in range(_MAX_NGRAM, 0, -1)
        for i in range(len(words) - n + 1)
    ]


def _by_place(words: list[str]) -> str | None:
    places = _places()
    # Exactly first, noise words included: "south africa", "central canada".
    for gram in _grams(words):
        if gram in places:
            return places[gram]
    loose = [p for p in places if len(p) >= _FUZZY_MIN_LENGTH]
    for gram in _grams([w for w in words if w not in _NOISE]):
        if len(gram) < _FUZZY_MIN_LENGTH:
            continue
        hit = process.extractOne(gram, loose, scorer=fuzz.ratio, score_cutoff=_CUTOFF)
        if hit is not None:
            return places[hit[0]]
    return None


def _by_area(folded: str) -> str | None:
    match = _AREA.search(folded)
    if match is None or not match.group(2):
        return None
    direction = re.sub(r"[\s_-]+", "", match.group(2))
    # "northeast" is written so in the codes; "north east" and "north-east" are the same.
    code = f"{match.group(1)}-{direction}-{match.group(3) or '1'}"
    return code if code in REGIONS else None


def region_code(text: str) -> str | None:
    """The AWS region code ``text`` names, or ``None`` when it names none.

    Args:
        text: A region as typed: a code, a city or country, an area, or the console's name.

    Returns:
        A code such as ``eu-central-1``. A code of the right shape that AWS has not opened
        yet is returned as typed (S3-compatible stores use their own).
    """
    folded = _fold(text).replace("_", "-")
    code = _CODE.search(folded)
    if code is not None:
        return code.group(1)
    place = _by_place(folded.replace("-", " ").split())
    if place is not None:
        return place
    return _by_area(folded.replace("-", " "))


def split_region(value: str) -> tuple[str, str | None]:
    """A one-word value and the region after it: "acme in frankfurt" -> ("acme", "eu-central-1").

    Returns:
        The value without the place and the region's code, or ``(value, None)`` when no
        region follows the value.
    """
    match = _VALUE_IN_PLACE.fullmatch(value.strip())
    if match is None:
        return value, None
    code = region_code(match.group("place"))
    return (match.group("value"), code) if code is not None else (value, None)
