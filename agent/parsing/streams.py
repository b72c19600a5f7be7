"""Which streams (tables, files, endpoints) a person picks from a catalog.

Understood: "all", "none", numbers and ranges from the list shown ("1,3-5"), names exactly
or in any case, file names without their extension ("booking" for ``booking.csv``), a table
without its schema ("orders" for ``sales.orders``), a schema for all its tables ("sales"),
"all of sales" for a schema's tables, globs ("public.*", "*_audit"; a glob without a
dot also matches the table part, so "audit_*" picks ``public.audit_log``), and exclusions
("all except logs", "sales.order* and finance.* except *_audit"). The result keeps the
catalog's order.

Anything that matches nothing (a number past the end, a misspelt name) raises a
:class:`SelectionError` naming it, rather than silently selecting less than was asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from agent.parsing.errors import SelectionError
from agent.parsing.text import fold_quotes, squash, strip_quotes

__all__ = ["Selection", "parse_stream_selection"]

_EXAMPLES = ("all", "1,3-5", "booking, expedia", "public.*", "all except logs")
_EXCEPT = re.compile(
    r"\s*(?:\bexcept(?:\s+for)?\b|\bbut\s+not\b|\bbut\b|\bexcluding\b|\bexclude\b|\bwithout\b|"
    r"\bminus\b|\bapart\s+from\b|\bother\s+than\b|\bskip(?:ping)?\b)\s*",
    re.IGNORECASE,
)
_ALL_OF = re.compile(
    r"\b(?:all|everything|every\s+table|all\s+(?:the\s+)?tables)\s+(?:of|in|from|under)\s+(?:the\s+)?"
    r"(?!them\b|these\b|those\b|it\b|this\b|that\b)(?=\S)",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bor\b|&|\+|\bplus\b)\s*|\s+", re.IGNORECASE)
_RANGE = re.compile(r"(\d+)\s*(?:-|\.\.|\bto\b|\bthrough\b|\bthru\b)\s*(\d+)", re.IGNORECASE)
_ALL = frozenset({"all", "everything", "every", "*", "both", "each", "any"})
_NONE = re.compile(
    r"(?:none|nothing|no|zero|no streams|no tables|no files|none of them|neither)[.!]?",
    re.IGNORECASE,
)
_FILLER = frozenset(
    [
        "the",
        "of",
        "them",
        "tables",
        "table",
        "streams",
        "stream",
        "files",
        "file",
        "schemas",
        "schema",
        "only",
        "just",
        "pull",
        "select",
        "please",
        "pick",
        "choose",
        "sync",
        "want",
        "i",
        "give",
        "me",
        "take",
        "use",
        "number",
        "numbers",
        "ones",
        "one",
        # Politeness in a terse answer ("all pls", "orders thx").
        "pls",
        "plz",
        "thx",
        "thanks",
        "ty",
    ]
)
_FILE_EXTENSIONS = frozenset(
    [
        "csv",
        "tsv",
        "json",
        "ndjson",
        "jsonl",
        "xlsx",
        "xls",
        "parquet",
        "txt",
        "xml",
        "avro",
        "gz",
        "zip",
    ]
)
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True, slots=True)
class Selection:
    """The streams picked.

    Attributes:
        names: The selected stream names, in catalog order; empty for "none".
    """

    names: tuple[str, ...]


class _Catalog:
    def __init__(self, names: Sequence[str], numbered: Sequence[str] | None = None) -> None:
        self.names = list(names)
        self.lower = [n.lower() for n in self.names]
        # Numbers count in the list the person saw, which may be a search's matches.
        if numbered is None:
            self.numbered: list[int] = list(range(len(self.names)))
        else:
            index = {n: i for i, n in enumerate(self.names)}
            self.numbered = [index[n] for n in numbered if n in index]

    def resolve(self, token: str) -> list[int] | None:
        """Indexes the token picks, or ``None`` when it is a number out of range."""
        low = token.lower()
        if low in _ALL:
            return list(range(len(self.names)))
        exact = [i for i, n in enumerate(self.names) if n == token]
        if exact:
            return exact
        bounds = re.fullmatch(r"#?(\d+)", low) or _RANGE.fullmatch(low)
        if bounds:
            numbers = [int(g) for g in bounds.groups()]
            lo, hi = min(numbers), max(numbers)
            if lo < 1 or hi > len(self.numbered):
                return None
            return self.numbered[lo - 1 : hi]
        if _GLOB.search(low):
            bare = "." not in low
            return [
                i
                for i, n in enumerate(self.lower)
                if fnmatchcase(n, low) or (bare and fnmatchcase(n.rpartition(".")[2], low))
            ]
        tests = (self._same, self._stem, self._schema, self._table)
        matches = ([i for i, n in enumerate(self.lower) if test(n, low)] for test in tests)
        return next((hits for hits in matches if hits), [])

    @staticmethod
    def _same(name: str, low: str) -> bool:
        return name == low

    @staticmethod
    def _stem(name: str, low: str) -> bool:
        stem, dot, extension = name.partition(".")
        return bool(dot) and stem == low and extension.split(".")[-1] in _FILE_EXTENSIONS

    @staticmethod
    def _schema(name: str, low: str) -> bool:
        schema, dot, rest = name.partition(".")
        return bool(dot) and schema == low and rest.split(".")[-1] not in _FILE_EXTENSIONS

    @staticmethod
    def _table(name: str, low: str) -> bool:
        schema, _, table = name.rpartition(".")
        return bool(schema) and table == low and table not in _FILE_EXTENSIONS


def _tokens(part: str, catalog: _Catalog) -> list[str]:
    """The items of one side of a selection, a name with spaces kept whole."""
    tokens: list[str] = []
    for segment in re.split(r"\s*[,;]\s*", part):
        cleaned = strip_quotes(segment)
        if not cleaned:
            continue
        if cleaned.lower() in catalog.lower:
            tokens.append(cleaned)
            continue
        cleaned = _RANGE.sub(lambda m: f"{m.group(1)}-{m.group(2)}", cleaned)
        for piece in _SPLIT.split(cleaned):
            token = strip_quotes(piece.strip().rstrip(".!"))
            if token and (token.lower() not in _FILLER or token.lower() in catalog.lower):
                tokens.append(token)
    return tokens


def _pick(tokens: list[str], catalog: _Catalog, missing: list[str]) -> set[int]:
    picked: set[int] = set()
    for token in tokens:
        hits = catalog.resolve(token)
        if not hits:
            missing.append(token)
        else:
            picked.update(hits)
    return picked


def _message(missing: list[str], count: int) -> str:
    numbers = [m for m in missing if re.fullmatch(r"#?\d+(?:-\d+)?", m)]
    names = [m for m in missing if m not in numbers]
    parts = []
    if names:
        listed = ", ".join(f'"{n}"' for n in names)
        parts.append(f"{listed} {'matches' if len(names) == 1 else 'match'} no stream")
    if numbers:
        listed = ", ".join(numbers)
        if count:
            parts.append(f"{listed} {'is' if len(numbers) == 1 else 'are'} not on the list")
            parts[-1] += f" (it goes from 1 to {count})"
        else:
            parts.append(f"{listed}: the list is empty")
    message = "; ".join(parts)
    return message[0].upper() + message[1:] + "."


def parse_stream_selection(
    text: str, names: Sequence[str], *, numbered: Sequence[str] | None = None
) -> Selection:
    """The streams ``text`` picks from ``names``, the catalog in the order it was shown.

    Args:
        text: What the person typed.
        names: Every stream name, in catalog order.
        numbered: The list the numbers refer to (number 1 is its first), when it is not
            ``names`` itself, e.g. the matches of a search.

    Returns:
        The selection.

    Raises:
        SelectionError: Something named matched no stream, or nothing was named.
    """
    catalog = _Catalog(names, numbered)
    folded = squash(fold_quotes(text))
    if folded.lower() in catalog.lower:
        return Selection(tuple(n for n in names if n.lower() == folded.lower()))
    if _NONE.fullmatch(folded):
        return Selection(())
    # "all of sales", "everything in sales": the schema, not every stream plus the schema.
    folded = _ALL_OF.sub("", folded)
    include_text, _, exclude_text = (p.strip() for p in _split_except(folded))
    missing: list[str] = []
    include = _tokens(include_text, catalog)
    exclude = _tokens(exclude_text, catalog)
    if not include and not exclude:
        raise SelectionError(
            'Tell me which streams to pick: "all", numbers like "1,3-5", names or '
            'patterns like "public.*".',
            examples=_EXAMPLES,
        )
    picked = _pick(include, catalog, missing) if include else set(range(len(names)))
    picked -= _pick(exclude, catalog, missing)
    selected = tuple(n for i, n in enumerate(catalog.names) if i in picked)
    if missing:
        raise SelectionError(
            _message(missing, len(catalog.numbered)),
            unmatched=tuple(missing),
            selected=selected,
            examples=_EXAMPLES,
        )
    return Selection(selected)


def _split_except(text: str) -> tuple[str, str, str]:
    match = _EXCEPT.search(text)
    if match is None:
        return text, "", ""
    return text[: match.start()], match.group(0), text[match.end() :]
