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

from agent.parsing.numbers import ORDINAL_WORDS
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
# Where a database runs is not what it is: "postgres on aws", "aws rds mysql", "mysql 8 on
# RDS" name PostgreSQL and MySQL, although "aws" alone names S3. These phrases are tried
# away first; when nothing is left that names a type ("files on amazon"), they count.
_PLATFORMS = (
    r"aws|amazon(?:\s+web\s+services)?|rds|aurora|azure|gcp|google(?:\s+cloud)?|cloud\s+sql|"
    r"the\s+cloud|cloud|heroku|supabase|neon|digital\s*ocean|render|fly(?:\.io)?|prem|premises|"
    r"on-prem|prod|production|staging|docker|kubernetes|k8s|localhost|a\s+vm|ec2"
)
_HOSTED = re.compile(
    rf"\b(?:(?:hosted|running|deployed|managed|sitting|living|that\s+is|which\s+is)\s+)?"
    rf"(?:on|in|at|inside|via|over\s+at)\s+(?:the\s+|an?\s+|our\s+|my\s+)?(?:{_PLATFORMS})\b"
    rf"|\b(?:aws|amazon)\s+(?:rds|aurora)(?:\s+for)?\b|\b(?:rds|aurora)(?:\s+for)?\b"
)
# A version glued to a name ("pg15", "mysql8") is the name; "s3" and "r2" are names whole.
_GLUED_VERSION = re.compile(r"([a-z]{2,})v?\d{1,2}")
# Two types named alike ("postgres or mysql"): no match, rather than a guess.
_TWO = (-1, 0.0, "")
_NUMBER = re.compile(r"(?:#|no\.?|nr\.?|num|number|option|choice)?\s*(\d{1,3})\s*[.)]?")
_ORDINALS = {
    **ORDINAL_WORDS,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
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
        "pls",
        "plz",
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
        "thx",
        "hi",
        "hello",
        "hey",
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
        elif len(gram) >= _FUZZY_MIN_LENGTH and not any(w.isdigit() for w in gram.split()):
            # A version number ("mysql 8", "postgres 16") is no part of a loose name.
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


def _words(low: str, choices: Mapping[str, int]) -> list[str]:
    words = []
    for typed in low.split():
        glued = _GLUED_VERSION.fullmatch(typed)
        word = glued.group(1) if glued is not None and typed not in choices else typed
        if word not in _STOPWORDS:
            words.append(word)
    return words


def _best(low: str, choices: Mapping[str, int]) -> tuple[int, float, str] | None:
    """The type index, score and name ``low`` names; ``None`` if none, index -1 if two."""
    if low in choices:
        return choices[low], 100.0, low
    ranked = sorted(_scores(_words(low, choices), choices).items(), key=lambda item: -item[1][0])
    if not ranked:
        return None
    index, (score, matched) = ranked[0]
    if len(ranked) > 1 and score - ranked[1][1][0] < _AMBIGUITY_MARGIN:
        return _TWO
    return index, score, matched


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
    # Where it runs first set aside ("postgres on aws"); only if that leaves no name, kept.
    unhosted = _normalize(_HOSTED.sub(" ", fold_quotes(text).lower()))
    for candidate in dict.fromkeys(c for c in (unhosted, low) if c):
        best = _best(candidate, choices)
        if best is _TWO:
            return None
        if best is not None:
            index, score, matched = best
            return TypeMatch(types[index], role, score, matched)
    return None
