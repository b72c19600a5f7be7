"""A pasted DSN or URL that fills several fields at once.

Which schemes name which connector type, and how their DSNs fill the fields, are the
connector types' own facts (``dsn_schemes``, ``dsn_form``), passed in with the types offered.

``postgres://etl:pw@db:5432/warehouse`` gives the host, port, database, user and password;
``s3://bucket/prefix`` the bucket and prefix; ``https://...`` a webhook URL. The password is
percent-decoded and returned apart from the other fields, and ``redacted_text`` is the
message with it replaced, ready for a transcript.

Database DSNs are split at the *last* ``@`` before the host, so an unencoded ``@`` or ``/``
in a password still parses. A web URL's user and password cannot be kept in its config (the
webhook connector refuses them): they become a Basic ``auth_header``, which is secret.
Credentials in a web URL's query string are secret too; they are replaced in ``url``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from urllib.parse import unquote, unquote_plus, urlsplit, urlunsplit

from agent.parsing.protocols import ConnectorTypeLike
from agent.parsing.text import fold_quotes, is_secret_name
from core.redaction import REDACTED, redact

__all__ = ["DsnMatch", "find_dsns", "parse_dsn"]

_URL = re.compile(
    r"(?<![\w+.-])(?:jdbc:)?(?P<scheme>[A-Za-z][A-Za-z0-9]*)(?:\+[A-Za-z0-9_]+)?://"
    r"(?P<rest>[^\s<>\"'`]+)",
)
_TRAILING = ".,;:!?)]}>"
_SNOWFLAKE_HOST = re.compile(r"\.snowflakecomputing\.com$", re.IGNORECASE)
_SSLMODE_KEYS = frozenset({"sslmode", "ssl-mode", "ssl_mode"})
_DB_QUERY_FIELDS = {"sslmode": "sslmode", "user": "username", "username": "username"}
_SNOWFLAKE_QUERY_FIELDS = {
    "warehouse": "warehouse",
    "role": "role",
    "schema": "schema",
    "database": "database",
    "db": "database",
    "user": "username",
}
_PASSWORD_KEYS = frozenset({"password", "pass", "pwd", "passwd"})


@dataclass(frozen=True, slots=True)
class DsnMatch:
    """What a DSN or URL in a message fills in.

    Attributes:
        type: The connector type the scheme names (``POSTGRES``, ``S3``, ``WEBHOOK``...).
        form: How the DSN filled the fields (``host``, ``account``, ``bucket``, ``url``).
        fields: Non-secret values by snake_case field name.
        secrets: Secret values by field name (``password``), never printed in a repr.
        redacted_text: The whole message with every secret replaced by ``***REDACTED***``.
        span: Where the DSN stands in the message (start, end).
        secret_forms: The secrets as they appear in the message (still percent-encoded),
            for redacting other copies of it.
    """

    type: str
    fields: dict[str, str]
    secrets: dict[str, str] = field(repr=False)
    redacted_text: str
    span: tuple[int, int] = (0, 0)
    secret_forms: tuple[str, ...] = field(default=(), repr=False)
    form: str = "host"


@dataclass(slots=True)
class _Parts:
    """A DSN cut into pieces, each still as typed (percent-encoded)."""

    user: str | None
    password: str | None
    host: str
    port: str | None
    path: str
    query: list[tuple[str, str]]


def _split_query(query: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key:
            pairs.append((unquote_plus(key), value))
    return pairs


def _split(rest: str) -> _Parts:
    userinfo, at, hostpart = rest.rpartition("@")
    if not at:
        hostpart = rest
    user, colon, password = userinfo.partition(":")
    hostpart, _, query = hostpart.partition("?")
    hostpart = hostpart.partition("#")[0]
    netloc, slash, path = hostpart.partition("/")
    host, port = netloc, None
    port_match = re.fullmatch(r"(.*?):(\d*)", netloc)
    if port_match and not netloc.endswith("]"):
        host, port = port_match.group(1), port_match.group(2) or None
    return _Parts(
        user=user if at else None,
        password=password if at and colon else None,
        host=host,
        port=port,
        path=path if slash else "",
        query=_split_query(query),
    )


_Found = tuple[dict[str, str], dict[str, str], list[str]]
"""Non-secret fields, secrets, and the secrets as typed (still percent-encoded)."""


def _database_fields(form: str, parts: _Parts) -> _Found:
    fields: dict[str, str] = {}
    secrets: dict[str, str] = {}
    typed: list[str] = []
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if form == "account":
        fields["account"] = _SNOWFLAKE_HOST.sub("", unquote(parts.host))
        names: tuple[str, ...] = ("database", "schema")
        query_fields = _SNOWFLAKE_QUERY_FIELDS
    else:
        fields["host"] = unquote(parts.host).strip("[]")
        if parts.port:
            fields["port"] = parts.port
        names = ("database",)
        query_fields = _DB_QUERY_FIELDS
    fields.update(dict(zip(names, segments, strict=False)))
    for key, raw in parts.query:
        low = key.lower()
        name = "sslmode" if low in _SSLMODE_KEYS else query_fields.get(low)
        if low in _PASSWORD_KEYS:
            secrets["password"] = unquote_plus(raw)
            typed.append(raw)
        elif name:
            fields[name] = unquote_plus(raw)
    if parts.user:
        fields["username"] = unquote(parts.user)
    if parts.password is not None:
        secrets["password"] = unquote(parts.password)
        typed.append(parts.password)
    return {k: v for k, v in fields.items() if v}, secrets, typed


def _s3_fields(parts: _Parts) -> _Found:
    fields = {"bucket": unquote(parts.host)}
    prefix = unquote(parts.path)
    if prefix:
        fields["prefix"] = prefix
    region = next((unquote_plus(v) for k, v in parts.query if k.lower() == "region"), "")
    if region:
        fields["region"] = region
    secrets: dict[str, str] = {}
    typed: list[str] = []
    if parts.user:
        fields["access_key_id"] = unquote(parts.user)
    if parts.password:
        secrets["secret_access_key"] = unquote(parts.password)
        typed.append(parts.password)
    return {k: v for k, v in fields.items() if v}, secrets, typed


def _web_fields(raw: str) -> _Found | None:
    try:
        split = urlsplit(raw)
        split.port  # noqa: B018 - reading the port validates it
    except ValueError:
        return None
    if not split.hostname:
        return None
    secrets: dict[str, str] = {}
    typed: list[str] = []
    userinfo, at, netloc = split.netloc.rpartition("@")
    if at:
        user, _, password = userinfo.partition(":")
        credential = f"{unquote(user)}:{unquote(password)}"
        secrets["auth_header"] = "Basic " + base64.b64encode(credential.encode()).decode()
        if password:
            typed.append(password)
    query = []
    for part in split.query.split("&") if split.query else []:
        key, eq, value = part.partition("=")
        if eq and value and is_secret_name(unquote_plus(key)):
            secrets[unquote_plus(key)] = unquote_plus(value)
            typed.append(value)
            value = REDACTED
        query.append(f"{key}{eq}{value}")
    url = urlunsplit((split.scheme, netloc, split.path, "&".join(query), split.fragment))
    return {"url": url}, secrets, typed


def _schemes(types: Sequence[ConnectorTypeLike]) -> Mapping[str, tuple[str, str]]:
    """Scheme (lower-case) -> (connector type, DSN form); shared: do not mutate."""
    return _schemes_of(tuple((t.type, t.dsn_form, tuple(t.dsn_schemes)) for t in types))


@lru_cache(maxsize=16)
def _schemes_of(
    types: tuple[tuple[str, str | None, tuple[str, ...]], ...],
) -> Mapping[str, tuple[str, str]]:
    # The offered types rarely change: built once per list, not per message.
    schemes: dict[str, tuple[str, str]] = {}
    for type_, form, names in types:
        for name in names:
            schemes.setdefault(name.lower(), (type_, form or "host"))
    return MappingProxyType(schemes)


def find_dsns(text: str, types: Sequence[ConnectorTypeLike]) -> list[DsnMatch]:
    """Every DSN or URL in ``text`` with a scheme one of ``types`` connects to, in order.

    Each match's ``redacted_text`` hides only its own secrets.
    """
    schemes = _schemes(types)
    matches = []
    for found in _URL.finditer(fold_quotes(text)):
        known = schemes.get(found.group("scheme").lower())
        if known is None:
            continue
        kind, form = known
        raw = text[found.start() : found.end()].rstrip(_TRAILING)
        end = found.start() + len(raw)
        raw = re.sub(r"^jdbc:", "", raw, flags=re.IGNORECASE)
        rest = raw.partition("://")[2]
        if form == "url":
            parsed = _web_fields(raw)
        elif form == "bucket":
            parsed = _s3_fields(_split(rest))
        else:
            parsed = _database_fields(form, _split(rest))
        if parsed is None or not parsed[0]:
            continue
        fields, secrets, typed = parsed
        hidden = (*secrets.values(), *typed)
        matches.append(
            DsnMatch(
                kind, fields, secrets, redact(text, hidden), (found.start(), end), hidden, form
            )
        )
    return matches


def parse_dsn(text: str, types: Sequence[ConnectorTypeLike]) -> DsnMatch | None:
    """The first DSN or URL in ``text`` with a scheme one of ``types`` connects to.

    Args:
        text: A message, possibly with a DSN inside a sentence.
        types: The connector types offered; their ``dsn_schemes`` and ``dsn_form`` say
            which schemes are known and how each fills the fields.

    Returns:
        The fields it fills, or ``None`` when there is no DSN of a known scheme.
    """
    matches = find_dsns(text, types)
    return matches[0] if matches else None
