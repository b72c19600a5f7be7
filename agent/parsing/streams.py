"""Which streams (tables, files, endpoints) a person picks from a catalog.

Understood: "all", "none", numbers and ranges from the list shown ("1,3-5"), names exactly
or in any case, file names without their extension ("booking" for ``booking.csv``), a table
without its schema ("orders" for ``sales.orders``), a schema for all its tables ("sales"),
"all of sales" for a schema's tables, globs ("public.*", "*_audit"; a glob without a
dot also matches the table part, so "audit_*" picks ``public.audit_log``), and exclusions
("all except logs", "sales.order* and finance.* except *_audit"). The result keeps the
catalog's order.

People say the same in words, and the words are tables in :mod:`agent.parsing.stream_words`:
"all tables starting with fact_" (``fact_*``), "tables with audit in the name", "the first
three", "orders and customers from public plus every dim_ table in analytics"; filler ("i
need only … table pls") is never a name. Looser matches come after exact ones: a singular or
plural ("order"), a word of a name ("the audit tables"), a name written with spaces ("line
items"). A name found in two schemas follows the schema the rest of the phrase is about.

Anything that matches nothing (a number past the end, a misspelt name) raises a
:class:`SelectionError` naming it, rather than silently selecting less than was asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property

from agent.parsing.errors import SelectionError
from agent.parsing.stream_words import EXCEPT_WORDS, FILLER, SCOPE_WORDS, rewrite
from agent.parsing.text import fold_quotes, squash, strip_quotes

__all__ = ["Selection", "parse_stream_selection"]

_EXAMPLES = ("all", "1,3-5", "booking, expedia", "public.*", "all except logs")
_EXCEPT = re.compile(
    rf"\s*(?:{'|'.join(EXCEPT_WORDS)})\s*",
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
_SCHEMA_SAID = re.compile(r"(?<![\w.])([\w-]+)\s*:(?=\s)|\(\s*([\w-]+)\s*\)")
_PLAIN = re.compile(r"[A-Za-z][\w-]*")
_NUMBERS = re.compile(r"#?\d+(?:-\d+)?")
# A word shorter than this is never a word of a name ("log" is, "id" is not).
_COMPONENT_MIN = 3


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

    # Computed when first needed: "all" or "1-3" on 10,000 tables should not pay for them.
    @cached_property
    def parts(self) -> list[str]:
        """The part a person names: a table without its schema, a file without extension."""
        return [_part(n) for n in self.lower]

    @cached_property
    def part_set(self) -> frozenset[str]:
        """:attr:`parts` as a set."""
        return frozenset(self.parts)

    @cached_property
    def schemas(self) -> frozenset[str]:
        """The schemas the names are in."""
        return frozenset(n.rpartition(".")[0] for n in self.lower if "." in n and not _is_file(n))

    @cached_property
    def singulars(self) -> list[str]:
        """Each part in the singular ("order" for ``orders``)."""
        return [_singular(p) for p in self.parts]

    @cached_property
    def words(self) -> list[frozenset[str]]:
        """The words of each part, in the singular ("audit", "log" for ``audit_logs``)."""
        return [frozenset(_singular(w) for w in re.split(r"[_\-\s]+", p)) for p in self.parts]

    def schema_of(self, index: int) -> str:
        """The schema of the stream at ``index`` ("" for a name without one)."""
        name = self.lower[index]
        return "" if _is_file(name) else name.rpartition(".")[0]

    def is_name(self, word: str) -> bool:
        """Whether ``word`` is a stream's whole name or the part a person would say."""
        low = word.lower()
        return low in self.part_set or low in self.lower

    def qualify(self, token: str, schema: str) -> str:
        """``token`` within ``schema`` ("orders" said "from public"), unless it is no name."""
        low = token.lower()
        if low in self.schemas or "." in low or _NUMBERS.fullmatch(low):
            return token
        return f"{schema}.{token}"

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
        everywhere = list(range(len(self.names)))
        schema, dot, rest = low.partition(".")
        if dot and schema in self.schemas and rest and low not in self.lower:
            within = [i for i in everywhere if self.lower[i].startswith(schema + ".")]
            # "refunds from public" when refunds is only in sales: the name still counts.
            return self._match(rest, within, parts_only=True) or self._match(rest, everywhere)
        return self._match(low, everywhere)

    def _match(self, low: str, among: list[int], *, parts_only: bool = False) -> list[int]:
        """The first kind of match that finds anything, from the strictest to the loosest."""
        if low.endswith("_") or low.startswith("_"):
            # "fact_" and "the fact_ tables" are a prefix; "_log" a suffix.
            low = ("*" if low.startswith("_") else "") + low + ("*" if low.endswith("_") else "")
        if _GLOB.search(low):
            bare = parts_only or "." not in low
            return [
                i
                for i in among
                if (not parts_only and fnmatchcase(self.lower[i], low))
                or (bare and fnmatchcase(self.lower[i].rpartition(".")[2], low))
            ]
        if not parts_only:
            for test in (self._same, self._stem, self._schema):
                hits = [i for i in among if test(self.lower[i], low)]
                if hits:
                    return hits
        return self._loose(low, among)

    def _loose(self, low: str, among: list[int]) -> list[int]:
        """A table without its schema, then a singular or plural, then a word of a name."""
        hits = [i for i in among if self.parts[i] == low and _table(self.lower[i], low)]
        if hits:
            return hits
        one = _singular(low)
        hits = [i for i in among if self.singulars[i] == one and self.parts[i] != low]
        if hits or len(low) < _COMPONENT_MIN or not low.isalpha():
            return hits
        # "the audit tables": a word of a name of several words
        return [i for i in among if len(self.words[i]) > 1 and one in self.words[i]]

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


def _part(name: str) -> str:
    """What a person calls a stream: ``orders`` for ``sales.orders``, ``a`` for ``a.csv``."""
    if _is_file(name):
        return name.partition(".")[0]
    return name.rpartition(".")[2]


def _is_file(name: str) -> bool:
    return "." in name and name.rpartition(".")[2] in _FILE_EXTENSIONS


def _table(name: str, low: str) -> bool:
    schema, _, table = name.rpartition(".")
    return bool(schema) and table == low and table not in _FILE_EXTENSIONS


def _singular(word: str) -> str:
    for ending, replacement in (("ies", "y"), ("ses", "s"), ("s", "")):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)] + replacement
    return word


def _merge(words: list[str], catalog: _Catalog) -> list[str]:
    """Words that are one name written with spaces: "line items" is ``line_items``."""
    merged: list[str] = []
    i = 0
    while i < len(words):
        for size in (3, 2):
            joined = "_".join(words[i : i + size])
            if len(words[i : i + size]) == size and catalog.is_name(joined):
                merged.append(joined)
                i += size
                break
        else:
            merged.append(words[i])
            i += 1
    return merged


def _qualify(words: list[str], catalog: _Catalog) -> list[str]:
    """Drop filler; qualify what precedes "from public" / "in analytics" with that schema."""
    out: list[str] = []
    since = 0  # names said since the last "from <schema>"
    ahead: str | None = None  # "from public: orders" qualifies what follows instead
    i = 0
    while i < len(words):
        low = words[i].lower()
        after = i + 1 + (i + 1 < len(words) and words[i + 1].lower() == "the")
        if low in SCOPE_WORDS and after < len(words) and words[after].lower() in catalog.schemas:
            schema = words[after].lower()
            if len(out) > since:
                out[since:] = [catalog.qualify(t, schema) for t in out[since:]]
                ahead = None
            else:
                ahead = schema
            since = len(out)
            i = after + 1
            continue
        if low not in FILLER or catalog.is_name(low):
            out.append(catalog.qualify(words[i], ahead) if ahead else words[i])
        i += 1
    if ahead and len(out) == since:
        out.append(ahead)  # "tables from public": the schema's tables
    return out


def _tokens(part: str, catalog: _Catalog) -> list[str]:
    """The items of one side of a selection, a name with spaces kept whole."""
    words: list[str] = []
    for segment in re.split(r"\s*[,;]\s*", part):
        cleaned = strip_quotes(segment)
        if not cleaned:
            continue
        if cleaned.lower() in catalog.lower:
            words.append(cleaned)
            continue
        cleaned = _RANGE.sub(lambda m: f"{m.group(1)}-{m.group(2)}", cleaned)
        for piece in _SPLIT.split(cleaned):
            word = strip_quotes(piece.strip().rstrip(".!?:").strip("()"))
            if word:
                words.append(word)
    return _qualify(_merge(words, catalog), catalog)


def _pick(tokens: list[str], catalog: _Catalog, missing: list[str]) -> set[int]:
    found: list[tuple[str, list[int]]] = []
    for token in tokens:
        hits = catalog.resolve(token)
        if not hits:
            missing.append(token)
        else:
            found.append((token, hits))
    # "orders, customers and line_items" where orders is in public and sales but the others
    # only in public: the orders of the schema the rest of the phrase is about.
    named = [h for t, h in found if not _NUMBERS.fullmatch(t) and t.lower() not in _ALL]
    spans = [{catalog.schema_of(i) for i in hits} for hits in named] if len(named) > 1 else []
    context = set().union(*(span for span in spans if len(span) == 1))
    picked: set[int] = set()
    for token, hits in found:
        span = {catalog.schema_of(i) for i in hits} if len(context) == 1 else set()
        if len(span) > 1 and context < span and _PLAIN.fullmatch(token):
            picked.update(i for i in hits if catalog.schema_of(i) in context)
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
    # "all tables starting with fact_" is fact_*, "the first three" is 1-3.
    folded = rewrite(folded, len(catalog.numbered))
    # "sales: orders, refunds" and "refunds (sales)" say the schema as "from sales" does.
    folded = _SCHEMA_SAID.sub(lambda m: _from_schema(m, catalog), folded)
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
    if any(t.lower() not in _ALL for t in include):
        # "both public and sales", "all orders and customers": a determiner, not "everything".
        include = [t for t in include if t.lower() not in _ALL or catalog.is_name(t)]
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


def _from_schema(match: re.Match[str], catalog: _Catalog) -> str:
    schema = match.group(1) or match.group(2)
    return f" from {schema} " if schema.lower() in catalog.schemas else match.group(0)


def _split_except(text: str) -> tuple[str, str, str]:
    match = _EXCEPT.search(text)
    if match is None:
        return text, "", ""
    return text[: match.start()], match.group(0), text[match.end() :]
