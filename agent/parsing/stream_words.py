"""The words people use around stream names, as tables a person can extend.

:func:`agent.parsing.streams.parse_stream_selection` reads a selection in three passes, and
each pass is driven by a table here:

1. :data:`PHRASES` rewrite a phrase about names into a pattern: "all tables starting with
   fact_" is ``fact_*``, "tables with audit in the name" is ``*audit*``, "every dim_ table"
   is ``dim_``. :data:`POSITIONS` turn "the first three" into ``1-3`` and "the second and
   the last" into numbers (the last depends on the list, hence a function).
2. :data:`FILLER` words are dropped: "i need only orders and customers table" names two
   streams, never "need" or "table". A filler word that is itself a stream's name is kept.
3. :data:`SCOPE_WORDS` before a schema ("orders from public", "every dim_ table in
   analytics") qualify the names said since the last such phrase with that schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.parsing.numbers import NUMBER_WORDS, ORDINAL_WORDS

__all__ = [
    "EXCEPT_WORDS",
    "FILLER",
    "NUMBER_WORDS",
    "PHRASES",
    "POSITIONS",
    "SCOPE_WORDS",
    "rewrite",
]

# What a stream is called; "ones" as in "the audit ones".
_KIND = r"(?:tables?|streams?|files?|ones?|views?|tbls?|stuff|things?)"
_QUANTIFIER = r"(?:all|every|each|any|both)"
_LEAD = (
    rf"(?:{_QUANTIFIER}\s+(?:of\s+)?(?:the\s+)?)?(?:the\s+)?(?:{_KIND}\s+)?(?:(?:that|which)\s+)?"
)
# A name or pattern, perhaps quoted ("starting with 'fact_'"); SQL's % is a glob's *.
_WORD = r"[\'\"`]?([\w*?%\[\]-]+)[\'\"`]?"
_NAME = r"(?:name|names|table\s+name|table\s+names)"

PHRASES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # "all 5 tables", "all three of them": a count of everything, not the fifth
    (
        re.compile(
            rf"\b(?:all|both|each)\s+(?:the\s+)?(?:\d+|{'|'.join(NUMBER_WORDS)})\b", re.IGNORECASE
        ),
        "all",
    ),
    # "the two fact tables": a count before a word of the names
    (
        re.compile(
            rf"\b(?:the\s+)?(?:\d+|{'|'.join(NUMBER_WORDS)})\s+(?!(?:{_KIND}|and|or|to)\b)"
            rf"([\w*?%-]+)\s+{_KIND}\b",
            re.IGNORECASE,
        ),
        r"\1",
    ),
    # "all tables starting with fact_", "tables that begin with dim_", "prefixed fact_"
    (
        re.compile(
            rf"\b{_LEAD}(?:start|starts|starting|begin|begins|beginning|prefixed)\s+(?:with\s+|by\s+)?"
            rf"{_WORD}",
            re.IGNORECASE,
        ),
        r"\1*",
    ),
    # "tables ending with _log", "the ones that end in audit"
    (
        re.compile(
            rf"\b{_LEAD}(?:end|ends|ending|suffixed)\s+(?:with\s+|in\s+|by\s+)?{_WORD}",
            re.IGNORECASE,
        ),
        r"*\1",
    ),
    # "tables with audit in the name", "anything with audit in its name"
    (
        re.compile(
            rf"\b(?:{_LEAD}|(?:anything|everything)\s+)(?:with|having)\s+{_WORD}\s+in\s+"
            rf"(?:the|its|their|it|them)(?:\s+{_NAME})?\b",
            re.IGNORECASE,
        ),
        r"*\1*",
    ),
    # "the ones with audit", "tables having log"
    (
        re.compile(
            rf"\b(?:{_QUANTIFIER}\s+(?:of\s+)?)?(?:the\s+)?{_KIND}\s+(?:(?:that|which)\s+)?"
            rf"(?:with|having|have|has)\s+{_WORD}",
            re.IGNORECASE,
        ),
        r"*\1*",
    ),
    # A pattern after "tables like" (SQL's fact_%), or a word the names contain
    (
        re.compile(
            rf"\b(?:{_QUANTIFIER}\s+(?:of\s+)?)?(?:the\s+)?{_KIND}\s+(?:(?:that\s+are\s+)?named\s+)?"
            rf"like\s+{_WORD}",
            re.IGNORECASE,
        ),
        lambda m: m.group(1) if re.search(r"[*?%\[]", m.group(1)) else f"*{m.group(1)}*",
    ),
    # "audit in the name"
    (
        re.compile(rf"\b{_WORD}\s+in\s+(?:the|its|their)\s+{_NAME}\b", re.IGNORECASE),
        r"*\1*",
    ),
    # "tables containing audit", "whose name contains audit", "named like audit"
    (
        re.compile(
            rf"\b{_LEAD}(?:whose\s+{_NAME}\s+)?(?:contain|contains|containing|named\s+like|"
            rf"called\s+like|matching)\s+{_WORD}",
            re.IGNORECASE,
        ),
        r"*\1*",
    ),
    # "all the fact_ tables", "every dim_ table", "both audit ones": the word is the name part
    (
        re.compile(
            rf"\b{_QUANTIFIER}\s+(?:of\s+)?(?:the\s+)?(?!(?:{_KIND}|of|the|them|these|those|"
            rf"except|but|in|from|single|\d+)\b)([\w*?\[\]-]+)\s+{_KIND}\b",
            re.IGNORECASE,
        ),
        r"\1",
    ),
)

_COUNT = rf"(\d+|{'|'.join(NUMBER_WORDS)})"
_ORDINAL = rf"(\d+(?:st|nd|rd|th)|{'|'.join(ORDINAL_WORDS)}|last)"


def _number(word: str) -> int:
    low = word.lower()
    return int(low) if low.isdigit() else NUMBER_WORDS[low]


def _ordinal(word: str, count: int) -> str:
    low = word.lower()
    if low == "last":
        return str(count)
    return str(ORDINAL_WORDS.get(low) or int(re.sub(r"\D", "", low)))


_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(NUMBER_WORDS)})\b", re.IGNORECASE)
_NUMBER_LIST = re.compile(
    rf"(?:(?:numbers?|#)?\s*(?:\d+|{'|'.join(NUMBER_WORDS)})\s*(?:,|&|\+|and|or|to|-|through|thru)?\s*)+"
    r"[.!]?",
    re.IGNORECASE,
)

# Each takes the match and the length of the numbered list the person saw.
POSITIONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], int], str]], ...] = (
    (
        re.compile(rf"\b(?:the\s+)?(?:first|top)\s+{_COUNT}\b(?:\s+{_KIND})?", re.IGNORECASE),
        lambda m, _count: f"1-{_number(m.group(1))}",
    ),
    (
        re.compile(rf"\b(?:the\s+)?(?:last|bottom)\s+{_COUNT}\b(?:\s+{_KIND})?", re.IGNORECASE),
        lambda m, count: f"{max(1, count - _number(m.group(1)) + 1)}-{count}",
    ),
    (
        re.compile(rf"\b(?:the\s+)?{_ORDINAL}(?:\s+{_KIND})?(?=\W|$)", re.IGNORECASE),
        lambda m, count: _ordinal(m.group(1), count),
    ),
)

# Grouped by kind so that a word is easy to place; any word here that is a stream's name
# in the catalog at hand is still that stream.
FILLER = frozenset(
    " ".join(
        (
            # articles, pronouns, glue
            "the a an of them that those to as so then for now is are be in from under within",
            "inside with i me my we us our you i'd i'll we'd we'll it em 'em n",
            # what a stream is called
            "tables table streams stream files file schemas schema views view tbl tbls ones one",
            "stuff thing things single data",
            # wanting and taking
            "want wanna need needs would like give gimme have take use get grab pull select",
            "pick choose include including add",
            "sync load ingest import copy bring replicate go lets let's can could",
            # restricting and politeness
            "only just also too well please pls plz pleas thx thanks number numbers named called",
            # interjections before an answer
            "yes yeah yep sure ok okay actually ah oh hmm um uh no nope",
        )
    ).split()
)

# What starts the streams left out ("all except logs", "everything besides the audit ones").
EXCEPT_WORDS: tuple[str, ...] = (
    r"\bexcept(?:\s+for)?\b",
    r"\bbut\s+not\b",
    r"\bbut\b",
    r"\bexcluding\b",
    r"\bexclude\b",
    r"\bwithout\b",
    r"\bw/o\b",
    r"\bminus\b",
    r"\bapart\s+from\b",
    r"\baside\s+from\b",
    r"\bbesides\b",
    r"\bsave\s+for\b",
    r"\bother\s+than\b",
    r"\bnot\s+including\b",
    r"\bleav(?:e|ing)\s+out\b",
    r"\bomit(?:ting)?\b",
    r"\bignor(?:e|ing)\b",
    r"\bskip(?:ping)?\b",
    # "everything, no audit tables"; a leading "no, just orders" is a correction, not this
    r"(?<=[\w,]\s)no\b",
)

SCOPE_WORDS = frozenset({"from", "in", "of", "under", "within", "inside"})


def rewrite(text: str, count: int) -> str:
    """``text`` with phrases about names as patterns and positions as numbers."""
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    for position, number in POSITIONS:
        text = position.sub(_numbered(number, count), text)
    text = text.replace("%", "*")
    if _NUMBER_LIST.fullmatch(text):
        # "one and three", "two to four": numbers in words ("the sales one" is not a number).
        text = _NUMBER_WORD.sub(lambda m: str(NUMBER_WORDS[m.group(0).lower()]), text)
    return text


def _numbered(
    number: Callable[[re.Match[str], int], str], count: int
) -> Callable[[re.Match[str]], str]:
    return lambda match: number(match, count)
