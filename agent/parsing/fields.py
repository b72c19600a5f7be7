"""Several field values in one message, or one bare value for the field that was asked.

``extract_fields`` understands ``host=db port=5432``, ``host: db, port 5432``, ``bucket acme
prefix in/ region us-east-1``, JSON (also camelCase and nested ``{"config": {...}, "secret":
{...}}``), "the bucket is acme and the region us-east-1", a pasted DSN, and a bare answer to
the question just asked (at a secret prompt, the whole message). Secret values
are returned apart from the others and replaced in ``redacted_text``, which is the only form
of the message that may be kept. A secret pasted at the wrong prompt (``password=...`` while
the host was asked, or a string shaped like the connector's secret) is still treated as a
secret.

Only the shape of a value is looked at here (a port is its digits, an enum value is spelled
as its choice); whether it is valid is the caller's business.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.parsing.dsn import DsnMatch, find_dsns
from agent.parsing.key_values import Pair, clean_value, scan_pairs
from agent.parsing.pasted import find_pasted
from agent.parsing.protocols import ConnectorTypeLike, FieldLike
from agent.parsing.regions import region_code, split_region
from agent.parsing.secret_shapes import secret_field_for
from agent.parsing.text import fold_quotes, is_secret_name, strip_quotes
from agent.parsing.vocabulary import field_phrases, resolve_field_phrase
from core.redaction import redact

__all__ = ["Extraction", "extract_fields"]

# Kinds whose values may be a secret pasted at the wrong prompt (a port too: its digits
# would otherwise be cut out of a pasted token).
_CHECKED_KINDS = frozenset({"string", "url", "integer"})
_BEARER_PHRASES = frozenset({"bearer", "bearer token"})
_MAX_DEPTH = 3
# Where a JSON object may start; a message of braces must not cost quadratic time.
_MAX_JSON_STARTS = 8
_LEAD_IN = re.compile(
    r"^(?:(?:it's|it\s+is|its|that's|that\s+is|use|try|here\s+it\s+is:?|here's|here\s+you\s+go:?|"
    r"ok|okay|sure|sorry|oops|whoops|my\s+bad|ah|oh|actually|wait|right|hmm|"
    r"(?:it\s+)?should\s+(?:be|have\s+been))(?:[,:!.]+\s*|\s+|$))+",
    re.IGNORECASE,
)
# The separator of a key that is plainly a key: "user = bob", "user: bob", "the user is bob".
_STRONG = re.compile(r"[=:]|\sis\s", re.IGNORECASE)
_TAIL = re.compile(r"(?:[\s,]+(?:please|thanks|thank\s+you|pls|thx))+[.!]*$", re.IGNORECASE)
_HOST_PORT = re.compile(r"(?P<host>[^\s:/@]+):(?P<port>\d{1,5})")
_JSON_STRING = r'"((?:[^"\\]|\\.)*)"'
_JSON_PAIR = re.compile(rf"{_JSON_STRING}\s*:\s*{_JSON_STRING}")


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one message says about a connector's fields.

    Attributes:
        values: Non-secret values by field name.
        secret_values: Secret values by field name; never printed in a repr.
        redacted_text: The message with every secret replaced by ``***REDACTED***``.
        unknown: Keys the person named that match no field, as typed.
        misplaced: Secret fields filled although a non-secret field was asked.
        hidden: Every value hidden in ``redacted_text``, also credentials no field takes
            (an ``AWS_SESSION_TOKEN`` in a pasted block), for the log redaction.
    """

    values: dict[str, str]
    secret_values: dict[str, str] = field(repr=False)
    redacted_text: str
    unknown: tuple[str, ...] = ()
    misplaced: tuple[str, ...] = ()
    hidden: tuple[str, ...] = field(default=(), repr=False)

    @property
    def names(self) -> frozenset[str]:
        """Every field the message filled, secret or not."""
        return frozenset(self.values) | frozenset(self.secret_values)


class _Collector:
    """Values gathered from the parts of one message."""

    def __init__(self, fields: Sequence[FieldLike], asked: FieldLike | None) -> None:
        self.fields = fields
        self.by_name = {f.name: f for f in fields}
        self.asked = asked
        self.values: dict[str, str] = {}
        self.secrets: dict[str, str] = {}
        self.hidden: list[str] = []
        self.unknown: list[str] = []
        self.urls: dict[str, str] = {}

    def put(self, name: str, value: str) -> None:
        spec = self.by_name[name]
        if spec.secret:
            self.put_secret(name, strip_quotes(value))
            return
        value = strip_quotes(fold_quotes(value))
        for raw, clean in self.urls.items():
            value = value.replace(raw, clean)
        region = None
        if name != "region" and "region" in self.by_name:
            # "bucket acme in frankfurt": the place is the region, not part of the name.
            value, region = split_region(value)
        if spec.kind in _CHECKED_KINDS:
            target = secret_field_for(value, self.fields)
            if target is not None:
                self.put_secret(target, value)
                return
        host_port = _HOST_PORT.fullmatch(value) if name == "host" else None
        if host_port and "port" in self.by_name:
            # "host 127.0.0.1:5432": the port is given with the host.
            self.values["host"] = host_port.group("host")
            self.values.setdefault("port", host_port.group("port"))
            return
        self.values[name] = _shape(spec, value)
        if region is not None:
            self.values.setdefault("region", region)

    def put_secret(self, name: str, value: str) -> None:
        self.hidden.append(value)
        if not value.strip():
            return
        if name in self.by_name and self.by_name[name].secret:
            self.secrets[name] = value
        elif name not in self.by_name:
            self.unknown.append(name)

    def misplaced(self) -> tuple[str, ...]:
        if self.asked is None or self.asked.secret:
            return ()
        return tuple(self.secrets)


def _shape(spec: FieldLike, value: str) -> str:
    if spec.name == "region":
        # "frankfurt", "eu central" and "Europe (Frankfurt)" are all eu-central-1.
        return region_code(value) or value
    if spec.kind == "integer":
        digits = re.match(r"\d+", value.replace(",", ""))
        return digits.group(0) if digits else value
    if spec.kind == "enum":
        return next((c for c in spec.choices if c.lower() == value.lower()), value)
    return value.rstrip(".") if spec.kind != "mapping" and not value.endswith("..") else value


def _scalar(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _take_json(obj: Mapping[str, Any], into: _Collector, depth: int = 0) -> None:
    for key, value in obj.items():
        name = resolve_field_phrase(key, into.fields) if key.strip() else None
        spec = into.by_name.get(name) if name else None
        if (
            isinstance(value, dict)
            and depth < _MAX_DEPTH
            and (spec is None or spec.kind != "mapping")
        ):
            _take_json(value, into, depth + 1)
            continue
        text = _scalar(value)
        if text is None:
            continue
        if name is not None:
            into.put(name, text)
        elif is_secret_name(key):
            into.put_secret(key, text)
        else:
            into.unknown.append(key)


def _json_span(work: str) -> tuple[int, int, dict[str, Any]] | None:
    decoder = json.JSONDecoder()
    for match in itertools.islice(re.finditer(r"\{", work), _MAX_JSON_STARTS):
        try:
            obj, end = decoder.raw_decode(work, match.start())
        except (ValueError, RecursionError):
            continue
        if isinstance(obj, dict):
            return match.start(), end, obj
    return None


def _json_raw_secrets(raw: str, fields: Sequence[FieldLike]) -> list[str]:
    """Secret string values of a JSON text exactly as typed (escapes included)."""
    by_name = {f.name: f for f in fields}
    found = []
    for match in _JSON_PAIR.finditer(raw):
        name = resolve_field_phrase(match.group(1), fields)
        if (name and by_name[name].secret) or is_secret_name(match.group(1)):
            found.append(match.group(2))
    return found


def _blank(work: str, start: int, end: int) -> str:
    return work[:start] + " " * (end - start) + work[end:]


def _take_dsns(
    text: str, work: str, into: _Collector, types: Sequence[ConnectorTypeLike]
) -> tuple[str, list[tuple[int, int]], bool]:
    """Use the DSNs in ``text`` (of the schemes ``types`` know).

    Returns:
        The text without the DSN consumed, the spans of web URLs, and whether one was.
    """
    protected = []
    consumed: DsnMatch | None = None
    for dsn in find_dsns(text, types):
        into.hidden.extend(dsn.secret_forms)
        if dsn.form == "url":
            protected.append(dsn.span)
            into.urls[text[dsn.span[0] : dsn.span[1]]] = dsn.fields["url"]
            if "auth_header" in dsn.secrets and "auth_header" in into.by_name:
                into.put_secret("auth_header", dsn.secrets["auth_header"])
        elif consumed is None:
            consumed = dsn
    if consumed is not None:
        for name, value in consumed.fields.items():
            if name in into.by_name:
                into.put(name, value)
        for name, value in consumed.secrets.items():
            into.put_secret(name, value)
        work = _blank(work, *consumed.span)
    return work, protected, consumed is not None


def _take_pasted(work: str, into: _Collector) -> tuple[str, bool]:
    """Use a block pasted from a terminal or config file (``.env``, ``aws configure``, psql).

    Returns:
        The text without the block, and whether there was one.
    """
    values, spans = find_pasted(work)
    for item in values:
        name = next((n for n in item.fields if n in into.by_name), None)
        if name is not None and item.value:
            into.put(name, item.value)
        elif item.secret:
            into.put_secret(item.key, item.value)
        else:
            into.unknown.append(item.key)
    # A line break, not only blanks: a value before the block ends where it starts. One
    # pass over the text, however many lines the block has.
    pieces, last = [], 0
    for start, end in spans:
        pieces += [work[last:start], "\n", " " * (end - start - 1)]
        last = end
    return "".join([*pieces, work[last:]]), bool(spans)


def _bare(text: str, into: _Collector, asked: FieldLike) -> None:
    if asked.secret:
        value = text.strip()
        # "oh it's X": a lead-in before one word; a passphrase with spaces stays whole.
        lead_out = _LEAD_IN.sub("", value)
        if lead_out != value and lead_out and not any(c.isspace() for c in lead_out):
            value = lead_out
        phrases = [p for p, n in field_phrases(into.fields).items() if n == asked.name]
        keyed = re.fullmatch(
            rf"\s*(?:the\s+|my\s+)?(?:{'|'.join(map(re.escape, phrases))})\s*(?:[=:]|\s+is\s)\s*"
            r"(?P<value>\S.*?)\s*",
            fold_quotes(text),
            re.IGNORECASE | re.DOTALL,
        )
        if keyed:
            value = strip_quotes(text[keyed.start("value") : keyed.end("value")])
        into.put_secret(asked.name, value)
        return
    value = _TAIL.sub("", _LEAD_IN.sub("", strip_quotes(fold_quotes(text.strip()))))
    host_port = _HOST_PORT.fullmatch(value)
    if asked.name == "host" and host_port and "port" in into.by_name:
        into.put("host", host_port.group("host"))
        into.put("port", host_port.group("port"))
        return
    if value:
        into.put(asked.name, value)


def extract_fields(
    text: str,
    fields: Sequence[FieldLike],
    *,
    types: Sequence[ConnectorTypeLike],
    asked: str | None = None,
) -> Extraction:
    """The field values in one message.

    Args:
        text: What the person typed.
        fields: The connector's fields (for the role being set up).
        types: The connector types offered, whose DSN schemes a pasted DSN or URL may use.
        asked: The field the last question asked for, if one was: a message that names no
            field is then its value, the whole message when the field is secret.

    Returns:
        Values, secret values, the redacted message and the keys that match no field.
    """
    asked_field = next((f for f in fields if f.name == asked), None)
    into = _Collector(fields, asked_field)
    work = fold_quotes(text)
    work, protected, found_any = _take_dsns(text, work, into, types)
    work, pasted = _take_pasted(work, into)
    found_any = found_any or pasted
    json_span = _json_span(work)
    if json_span is not None:
        start, end, obj = json_span
        into.hidden.extend(_json_raw_secrets(text[start:end], fields))
        _take_json(obj, into)
        work = _blank(work, start, end)
        found_any = True
    pairs = scan_pairs(work, field_phrases(fields), protected=protected)
    if (
        asked_field is not None
        and asked_field.secret
        and not found_any
        and not _names_others(work, pairs, into, asked_field)
    ):
        _bare(text, into, asked_field)
        return _done(text, into)
    _take_pairs(text, pairs, into)
    if asked_field is not None and not found_any:
        _take_lead(text, pairs, into, asked_field)
    elif not pairs and not found_any and len(text.split()) == 1:
        target = secret_field_for(text, fields)
        if target is not None:
            into.put_secret(target, text.strip())
    return _done(text, into)


def _names_others(work: str, pairs: Sequence[Pair], into: _Collector, asked: FieldLike) -> bool:
    """Whether a message at a secret prompt plainly sets other fields ("the user is bob").

    Only a message made of ``key = value``, ``key: value`` or "key is value" items for known
    fields, one of them not the one asked, counts: anything else is the secret itself.
    """
    if not pairs or clean_value(work[: pairs[0].start]):
        return False
    phrases = field_phrases(into.fields)
    for pair in pairs:
        if pair.phrase is None or not _STRONG.search(work[pair.start : pair.value_start]):
            return False
    return any(phrases[p.phrase] != asked.name for p in pairs if p.phrase is not None)


def _take_pairs(text: str, pairs: Sequence[Pair], into: _Collector) -> None:
    phrases = field_phrases(into.fields)
    for pair in pairs:
        raw = clean_value(text[pair.value_start : pair.value_end])
        if pair.phrase is None:
            if pair.unknown and is_secret_name(pair.unknown):
                into.put_secret(pair.unknown, raw)
            elif pair.unknown:
                into.unknown.append(pair.unknown)
            continue
        if raw and pair.phrase in _BEARER_PHRASES and not raw.lower().startswith("bearer "):
            into.hidden.append(raw)  # the token as typed, not only the header made of it
            raw = f"Bearer {raw}"
        if raw:
            into.put(phrases[pair.phrase], raw)


def _take_lead(text: str, pairs: Sequence[Pair], into: _Collector, asked: FieldLike) -> None:
    """The answer to the question asked: the whole message, or what precedes the first key."""
    if not pairs:
        _bare(text, into, asked)
        return
    lead = text[: pairs[0].start]
    if re.search(r"(?:[,;]|\band)\s*$", lead) and asked.name not in into.values:
        _bare(clean_value(lead), into, asked)


def _done(text: str, into: _Collector) -> Extraction:
    return Extraction(
        values=into.values,
        secret_values=into.secrets,
        redacted_text=redact(text, into.hidden),
        unknown=tuple(dict.fromkeys(into.unknown)),
        misplaced=into.misplaced(),
        hidden=tuple(v for v in dict.fromkeys(into.hidden) if v.strip()),
    )
