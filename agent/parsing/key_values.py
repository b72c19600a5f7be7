"""Finding ``key value`` pairs in free text.

Examples: ``host=db port=5432``, "the host is db and the port is 5432", "bucket acme, prefix
daily/".

A key is a phrase that names a field, followed by ``=``, ``:``, "is" (a *strong* key, found
anywhere) or just a space (a *weak* key, found only where a new item may begin: at the start,
after a comma or "and", or once the key before it has a value, as in "bucket acme prefix in/
region us-east-1"). A value runs to the next key, so it may hold spaces when no key follows
("name Daily uploads"); a phrase right after a key is that key's value ("bucket region prefix
in/" names the bucket "region"). An unknown ``word=`` also ends a value and is reported, so a
person learns that "colour=blue" was not understood.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Pair", "clean_value", "scan_pairs"]

# A key does not start inside a word, a host name, a path, a query string or a URL.
_NOT_AFTER = r"(?<![\w./\-?&=@:%+])"
# "host = db", "host: db", "host -> db", "host - db", "host is db", "bucket name it is acme".
_SEPARATOR = (
    r"[\"']?(?P<sep>\s*(?:->|=>|\u2192)\s*|\s*[=:]\s*|\s+-{1,2}\s+|"
    r"\s+(?:is|are|should\s+be|will\s+be|=|it\s+is|it's|its)\s+(?:set\s+to\s+)?|\s+)"
    r"(?=\S)"
)
# Words after which a new item may begin: "..., and the region us-east-1".
_ITEM_WORDS = frozenset(
    {"and", "the", "my", "our", "with", "plus", "also", "then", "its", "it's", "use", "here's"}
)
_ITEM_WINDOW = 40
_UNKNOWN_KEY = re.compile(
    rf"{_NOT_AFTER}[\"']?(?P<key>[A-Za-z_][\w.\-]{{0,39}})[\"']?\s*=\s*(?=\S)"
)
# Words that end a value only because the next key follows: "bucket acme in region eu...",
# "host db1 on port 5432", "bucket acme pls".
_FILLER_END = re.compile(
    r"(?:^|\s+)(?:and|the|with|plus|also|then|my|our|its|please|pls|plz|thanks|thank\s+you|thx|"
    r"ok|in|on|at|of|for|from|is|as)$",
    re.IGNORECASE,
)


# A bar or a slash standing alone between items: "host: db1 / port: 5432 | db: shop".
_ITEM_BAR = re.compile(r"\s+[/|]+$")


@dataclass(frozen=True, slots=True)
class Pair:
    """A key and the span of its value in the text.

    Attributes:
        phrase: The key as matched, lower-case with single spaces; ``None`` for an unknown
            key, whose name is in ``unknown``.
        unknown: The name of an unknown ``name=`` key, as typed.
        start: Where the key starts.
        value_start: Where its value starts.
        value_end: Where its value ends (the next key, or the end of the text).
    """

    phrase: str | None
    unknown: str | None
    start: int
    value_start: int
    value_end: int


@lru_cache(maxsize=64)
def _key_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    alternatives = "|".join(r"[\s_\-]+".join(map(re.escape, p.split())) for p in ordered)
    return re.compile(rf"{_NOT_AFTER}[\"']?(?P<key>{alternatives}){_SEPARATOR}", re.IGNORECASE)


def _inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``position`` falls in one of ``spans``, which are sorted and disjoint."""
    index = bisect.bisect_right(spans, (position, sys.maxsize)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def _starts_item(text: str, position: int) -> bool:
    """Whether a new item may begin at ``position``: after a comma, "and", "the"..."""
    window = text[max(0, position - _ITEM_WINDOW) : position]
    before = window.rstrip()
    if not before or "\n" in window[len(before) :] or before[-1] in ",;:{(|":
        return True
    if before.endswith(" /"):
        return True  # "host: db1 / port: 5432"
    last_word = re.search(r"[A-Za-z']+$", before)
    return last_word is not None and last_word.group(0).lower() in _ITEM_WORDS


def scan_pairs(
    text: str, phrases: Iterable[str], *, protected: Iterable[tuple[int, int]] = ()
) -> list[Pair]:
    """The key/value pairs in ``text``, in order.

    Args:
        text: The message, quotes folded to ASCII.
        phrases: Lower-case phrases that name fields.
        protected: Spans (URLs) inside which no key starts.
    """
    spans = sorted(protected)
    found: list[tuple[int, int, str | None, str | None]] = []
    pattern = _key_pattern(tuple(sorted(set(phrases))))
    position = 0
    # Where the value of the last key found starts: a weak key after it ends that value.
    value_start: int | None = None
    while (match := pattern.search(text, position)) is not None:
        # A key turned down may hide a shorter one inside it ("json path"), so look again
        # from the next character rather than from the end of the match.
        position = match.start() + 1
        if _inside(match.start(), spans):
            continue
        weak = not match.group("sep").strip()
        ends_value = value_start is not None and value_start < match.start()
        if weak and not ends_value and not _starts_item(text, match.start()):
            continue
        phrase = " ".join(re.split(r"[\s_\-]+", match.group("key").lower()))
        found.append((match.start(), match.end(), phrase, None))
        position = value_start = match.end()
    taken = [(start, end) for start, end, _, _ in found]
    for match in _UNKNOWN_KEY.finditer(text):
        if _inside(match.start(), spans) or _inside(match.start(), taken):
            continue
        found.append((match.start(), match.end(), None, match.group("key")))
    found.sort()
    pairs = []
    for index, (start, value_start, known, unknown) in enumerate(found):
        value_end = found[index + 1][0] if index + 1 < len(found) else len(text)
        # A value ends with its line: the next line of a pasted block is not part of it.
        newline = text.find("\n", value_start, value_end)
        if newline != -1 and text[value_start:newline].strip():
            value_end = newline
        pairs.append(Pair(known, unknown, start, value_start, value_end))
    return pairs


def clean_value(raw: str) -> str:
    """A value as cut from the text, without the delimiters and filler words around it."""
    value = _ITEM_BAR.sub("", raw.strip())
    while True:
        trimmed = _FILLER_END.sub("", value.rstrip(" \t\r\n,;")).rstrip(" \t\r\n,;")
        if trimmed == value:
            break
        value = trimmed
    for opener, closer in (("{", "}"), ("(", ")")):
        if value.endswith(closer) and opener not in value:
            value = value[:-1].rstrip(" ,;")
    return value
