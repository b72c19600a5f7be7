"""Which connector type a person means: by name, label, alias, typo or number.

"pg", "postgress", "amazn s3", "2" (the second option offered) and "send our job results
to s3" all name a type. Names are matched exactly first; only words of four letters or more
are matched loosely (``rapidfuzz``), because two-letter aliases such as "pg" and "sf" are one
typo away from each other. A message naming two different types is ambiguous: no match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from agent.parsing.protocols import ConnectorTypeLike
from agent.parsing.text import fold_quotes, squash
from core.roles import Role

__all__ = ["TypeMatch", "detect_role", "match_type"]

T = TypeVar("T", bound=ConnectorTypeLike)

_CUTOFF = 80.0
_AMBIGUITY_MARGIN = 5.0
_FUZZY_MIN_LENGTH = 4
_MAX_NGRAM = 3

_SINK_WORDS = re.compile(
    r"\b(?:send|sending|push|pushing|sink|sinks|export|exporting|deliver|delivering|"
    r"deliveries|results?|output|outbound|destination|write\s+to)\b"
)
_SOURCE_WORDS = re.compile(
    r"\b(?:source|pull|pulling|read\s+from|import|importing|ingest|ingesting|fetch|"
    r"load\s+from|inbound)\b"
)
_NUMBER = re.compile(r"(?:#|no\.?|number|option|choice)?\s*(\d{1,3})\s*[.)]?")
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_ORDINAL = re.compile(rf"(?:the\s+)?({'|'.join(_ORDINALS)}|last)(?:\s+one)?")
_STOPWORDS = frozenset(
    {
        "a",
        "add",
        "an",
        "and",
        "can",
        "connect",
        "connecting",
        "data",
        "database",
        "db",
        "deliver",
        "export",
        "for",
        "from",
        "i",
        "in",
        "instance",
        "into",
        "it",
        "job",
        "jobs",
        "let",
        "let's",
        "lets",
        "like",
        "me",
        "my",
        "need",
        "new",
        "of",
        "on",
        "one",
        "or",
        "our",
        "over",
        "please",
        "push",
        "result",
        "results",
        "send",
        "server",
        "set",
        "setup",
        "sink",
        "some",
        "source",
        "storage",
        "store",
        "thanks",
        "the",
        "to",
        "up",
        "us",
        "use",
        "using",
        "via",
        "want",
        "we",
        "with",
        "would",
        "you",
    }
)


@dataclass(frozen=True, slots=True)
class TypeMatch(Generic[T]):
    """A connector type a person named.

    Attributes:
        connector: The matched type, as passed in.
        role: The role the words suggest (results sent somewhere: ``RESULTS_SINK``), if any.
        score: 0-100; 100 for an exact name, alias or number.
        matched: The name, alias or label that matched.
    """

    connector: T
    role: Role | None
    score: float
    matched: str

    @property
    def type(self) -> str:
        """The canonical type name (``S3``)."""
        return self.connector.type


def detect_role(text: str) -> Role | None:
    """The role a message suggests: "send results to...", "push", "export to" mean a sink."""
    low = fold_quotes(text).lower()
    sink = bool(_SINK_WORDS.search(low))
    source = bool(_SOURCE_WORDS.search(low))
    if sink == source:
        return None
    return Role.RESULTS_SINK if sink else Role.INVENTORY_SOURCE


def _by_number(low: str, count: int) -> int | None:
    match = _NUMBER.fullmatch(low)
    if match:
        number = int(match.group(1))
    else:
        ordinal = _ORDINAL.fullmatch(low)
        if not ordinal:
            return None
        word = ordinal.group(1)
        number = count if word == "last" else _ORDINALS[word]
    return number - 1 if 1 <= number <= count else None


def _choices(types: Sequence[ConnectorTypeLike]) -> Mapping[str, int]:
    """Every name of every type, normalized, to the type's index (shared: do not mutate)."""
    return _choices_of(tuple((t.type, t.label, tuple(t.aliases)) for t in types))


@lru_cache(maxsize=16)
def _choices_of(types: tuple[tuple[str, str, tuple[str, ...]], ...]) -> Mapping[str, int]:
    # The offered types rarely change: built once per list, not per message.
    choices: dict[str, int] = {}
    for index, (type_, label, aliases) in enumerate(types):
        for name in (type_, label, *aliases):
            choices.setdefault(_normalize(name), index)
    return MappingProxyType(choices)


def _normalize(text: str) -> str:
    return squash(re.sub(r"[^a-z0-9]+", " ", fold_quotes(text).lower()))


def _ngrams(words: list[str]) -> list[str]:
    return [
        " ".join(words[i : i + n])
        for n in range(_MAX_NGRAM, 0, -1)
        for i in range(len(words) - n + 1)
    ]


def _scores(words: list[str], choices: Mapping[str, int]) -> dict[int, tuple[float, str]]:
    """The best score and matched name per type index."""
    loose = [c for c in choices if len(c) >= _FUZZY_MIN_LENGTH]
    best: dict[int, tuple[float, str]] = {}
    for gram in _ngrams(words):
        if gram in choices:
            found: tuple[str, float] | None = (gram, 100.0)
        elif len(gram) >= _FUZZY_MIN_LENGTH:
            hit = process.extractOne(gram, loose, scorer=fuzz.ratio, score_cutoff=_CUTOFF)
            found = (hit[0], float(hit[1])) if hit else None
        else:
            found = None
        if found is None:
            continue
        index = choices[found[0]]
        if found[1] > best.get(index, (0.0, ""))[0]:
            best[index] = (found[1], found[0])
    return best


def match_type(text: str, types: Sequence[T]) -> TypeMatch[T] | None:
    """The connector type ``text`` names, among ``types`` in the order they were offered.

    Args:
        text: What the person typed.
        types: The types offered, in the order shown ("2" is the second).

    Returns:
        The match, or ``None`` when no type is named, two are, or the best guess is too weak.
    """
    low = _normalize(text)
    if not low or not types:
        return None
    role = detect_role(text)
    number = _by_number(squash(fold_quotes(text).lower()), len(types))
    if number is not None:
        return TypeMatch(types[number], None, 100.0, str(number + 1))
    choices = _choices(types)
    if low in choices:
        return TypeMatch(types[choices[low]], role, 100.0, low)
    words = [w for w in low.split() if w not in _STOPWORDS]
    ranked = sorted(_scores(words, choices).items(), key=lambda item: -item[1][0])
    if not ranked:
        return None
    index, (score, matched) = ranked[0]
    if len(ranked) > 1 and score - ranked[1][1][0] < _AMBIGUITY_MARGIN:
        return None
    return TypeMatch(types[index], role, score, matched)
