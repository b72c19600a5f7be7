"""Configuration pieces every database connector shares.

The connectors' config models list their fields explicitly (the spec, the chat and the REST
API are derived from them, in declaration order); what they have in common lives here: the
credential model, :class:`DatabaseConfig` (the base of the config models, with the
validators of the fields they all have), the builders of those fields, the validators of
hosts and identifiers, and the format of the inventory files that extracts are written as.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic.config import JsonDict

from connectors.spec import DataFormat, Role

__all__ = [
    "MAX_SCHEMAS",
    "SOURCE_ONLY",
    "DatabaseConfig",
    "DatabaseSecrets",
    "ExtractFormat",
    "OpenLoginSecrets",
    "check_cursor_fields",
    "check_host",
    "check_identifier",
    "check_schemas",
    "cursor_fields_field",
    "extract_format",
    "format_field",
    "normalise_choice",
    "schema_names",
    "schemas_field",
]

ExtractFormat = Literal[DataFormat.NDJSON, DataFormat.CSV]
"""The inventory file format extracts are written as: one JSON object per line, or CSV."""

SOURCE_ONLY: JsonDict = {"roles": [Role.INVENTORY_SOURCE.value]}
"""``json_schema_extra`` of every database field: databases are sources only."""

MAX_SCHEMAS = 1000
_MAX_HOST = 253
_MAX_IDENTIFIER = 255
# A host is a DNS name or an address: no spaces, slashes, '@' or scheme. Brackets are
# allowed around IPv6 literals and stripped.
_HOST = re.compile(r"^[A-Za-z0-9._:\-\[\]%]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PAIR_SEPARATORS = re.compile(r"[,;\n]")
_PAIR = re.compile(r"^(.+?)\s*[:=]\s*(.+)$")
_SCHEMAS_PROMPT = (
    "Which schemas should I look at? Separate names with commas; leave empty for all of them."
)


def check_host(value: str) -> str:
    """A host name or address as typed, trimmed, with IPv6 brackets removed.

    Raises:
        ValueError: Empty, too long, or carrying a scheme, path, user or spaces.
    """
    host = value.strip()
    if "://" in host or "/" in host or "@" in host:
        raise ValueError("give only the host name or address, without scheme, user or path")
    if not host or len(host) > _MAX_HOST or not _HOST.match(host):
        raise ValueError("a host is a name such as db.example.com or an address")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def check_identifier(value: str, what: str) -> str:
    """A database, schema, role or warehouse name: trimmed, printable, not too long.

    Raises:
        ValueError: Empty, too long or with control characters.
    """
    name = value.strip()
    if not name or len(name) > _MAX_IDENTIFIER or _CONTROL.search(name):
        raise ValueError(f"a {what} name has 1-{_MAX_IDENTIFIER} printable characters")
    return name


def check_schemas(value: object) -> str:
    """Which schemas to discover, kept as names separated by commas: ``public,sales``.

    A list is accepted too. An empty value, ``all`` or ``*`` means every user schema and
    is kept as ``""``, so schemas created later are discovered as well. The text form is
    what the chat stores and the REST API shows; :func:`schema_names` splits it.

    Raises:
        ValueError: Not a string or list of strings, or a name that is not printable.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        # ValueError, not TypeError: pydantic reports only the former as a validation error.
        raise ValueError("schemas are a list of names or names separated by commas")  # noqa: TRY004
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("schemas are a list of names or names separated by commas")  # noqa: TRY004
        name = item.strip()
        if name and name not in names:
            names.append(check_identifier(name, "schema"))
    if len(names) > MAX_SCHEMAS:
        raise ValueError(f"at most {MAX_SCHEMAS} schemas can be listed")
    if [n.lower() for n in names] in (["all"], ["*"]):
        return ""
    return ",".join(names)


def schema_names(schemas: str) -> tuple[str, ...]:
    """The names in a :func:`check_schemas` value; empty means all user schemas."""
    return tuple(name for name in schemas.split(",") if name)


def check_cursor_fields(value: object) -> dict[str, str]:
    """Per-stream cursor columns (``{"public.orders": "updated_at"}``), trimmed.

    Typed text is accepted too: a JSON object, or pairs such as
    ``public.orders: updated_at, public.items=modified_on``.

    Raises:
        ValueError: Not a mapping of names, or an empty stream or column name.
    """
    if value is None:
        return {}
    if isinstance(value, str):
        value = _cursor_pairs(value)
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("cursor fields map stream names to column names")
    chosen: dict[str, str] = {}
    for stream, column in value.items():
        stream_name, column_name = stream.strip(), column.strip()
        if not stream_name or not column_name:
            raise ValueError("each cursor field maps a stream name to a column name")
        chosen[stream_name] = check_identifier(column_name, "column")
    return chosen


def _cursor_pairs(text: str) -> object:
    text = text.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError("cursor fields are a JSON object or stream: column pairs") from None
    pairs: dict[str, str] = {}
    for item in _PAIR_SEPARATORS.split(text):
        if not item.strip():
            continue
        match = _PAIR.match(item.strip())
        if match is None:
            raise ValueError("cursor fields are pairs such as public.orders: updated_at")
        pairs[match.group(1)] = match.group(2)
    return pairs


def extract_format(value: object) -> object:
    """Normalise the ``format`` field before validation; refuse formats extracts cannot use.

    Raises:
        ValueError: A format other than NDJSON or CSV, in plain words.
    """
    if isinstance(value, str):
        value = value.strip().upper()
    if value not in (DataFormat.NDJSON, DataFormat.CSV):
        raise ValueError("table extracts are written as NDJSON or CSV")
    return DataFormat(str(value))


def normalise_choice(value: object, synonyms: Mapping[str, str]) -> object:
    """Lower-case a choice, ``_`` as ``-``, and map common synonyms to the canonical value."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower().replace("_", "-")
    return synonyms.get(text, text)


class DatabaseSecrets(BaseModel):
    """The database login, kept together in the vault; only the password is secret.

    The user name travels with the password (as an access key id does with its secret),
    so rotating a login is one secret update and the pair is never split.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str = Field(
        title="Username",
        description="Which user should I log in as?",
        examples=["etl_reader"],
        min_length=1,
        max_length=255,
        json_schema_extra=SOURCE_ONLY,
    )
    password: SecretStr = Field(
        title="Password",
        description="And that user's password?",
        examples=["correct-horse-battery-staple"],
        max_length=1024,
        json_schema_extra=SOURCE_ONLY,
    )

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        return check_identifier(value, "user")


class OpenLoginSecrets(DatabaseSecrets):
    """A login whose password may be empty: PostgreSQL's trust or peer auth, MariaDB's root.

    The chat still asks for the password, and understands "no password" as an empty one.
    """

    password: SecretStr = Field(
        default=SecretStr(""),
        title="Password",
        description='And that user\'s password? Say "none" if it logs in without one.',
        examples=["correct-horse-battery-staple"],
        max_length=1024,
        json_schema_extra={**SOURCE_ONLY, "empty_ok": True},
    )


def host_field() -> Any:
    """The ``host`` field: the database server's name or address."""
    return Field(
        title="Host",
        description="What is the database server's host name or address?",
        examples=["db.example.com"],
        json_schema_extra=SOURCE_ONLY,
    )


def port_field(product: str, default: int) -> Any:
    """The ``port`` field; ``default`` is the product's usual port, named in the question."""
    return Field(
        title="Port",
        description=f"Which port does it listen on ({product}'s default is {default})?",
        examples=[default],
        ge=1,
        le=65535,
        json_schema_extra=SOURCE_ONLY,
    )


def database_field(example: str, **constraints: Any) -> Any:
    """The ``database`` field: the one to read from (``constraints`` such as max_length)."""
    return Field(
        title="Database",
        description="Which database should I read from?",
        examples=[example],
        json_schema_extra=SOURCE_ONLY,
        **constraints,
    )


def schemas_field(
    example: str, *, title: str = "Schemas", description: str = _SCHEMAS_PROMPT
) -> Any:
    """The ``schemas`` field: which schemas discovery looks at (all when empty)."""
    return Field(
        default="",
        title=title,
        description=description,
        examples=[example],
        json_schema_extra=SOURCE_ONLY,
    )


def format_field() -> Any:
    """The ``format`` field: the file format of the extracts, NDJSON by default."""
    return Field(
        default=DataFormat.NDJSON,
        title="Extract format",
        description="Which file format should table extracts be written as, NDJSON or CSV?",
        examples=["NDJSON"],
        json_schema_extra=SOURCE_ONLY,
    )


def cursor_fields_field(example: str) -> Any:
    """The ``cursor_fields`` field; ``example`` is one ``stream: column`` pair."""
    return Field(
        default_factory=dict,
        title="Cursor columns",
        description=(
            f"Which column tells new rows apart, per stream (e.g. {example})? "
            "Streams without one are read whole each time."
        ),
        examples=[example],
        json_schema_extra=SOURCE_ONLY,
    )


class DatabaseConfig(BaseModel):
    """The base of the database config models: what they all have, validated alike.

    Each model declares every field itself, the shared ones with :func:`schemas_field`,
    :func:`format_field` and :func:`cursor_fields_field`: a base model's fields would come
    first, and the spec (so the chat's questions) follows the declaration order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    if TYPE_CHECKING:
        # Declared by every subclass, where its spec lists them.
        database: str
        schemas: str
        format: ExtractFormat
        cursor_fields: dict[str, str]

    @field_validator("schemas", mode="before", check_fields=False)
    @classmethod
    def _schemas(cls, value: object) -> str:
        return check_schemas(value)

    @field_validator("format", mode="before", check_fields=False)
    @classmethod
    def _format(cls, value: object) -> object:
        return extract_format(value)

    @field_validator("cursor_fields", mode="before", check_fields=False)
    @classmethod
    def _cursor_fields(cls, value: object) -> dict[str, str]:
        return check_cursor_fields(value)

    @property
    def schema_names(self) -> tuple[str, ...]:
        """The schemas to discover; empty for all user schemas."""
        return schema_names(self.schemas)


class ServerConfig(DatabaseConfig):
    """A database reached at a host and port (PostgreSQL, MySQL), its fields checked alike.

    Subclasses declare ``host``, ``port`` and ``database`` themselves (with
    :func:`host_field`, :func:`port_field`, :func:`database_field`), in their spec's order.
    """

    if TYPE_CHECKING:
        host: str
        port: int
        sslmode: str

    @field_validator("host", check_fields=False)
    @classmethod
    def _host(cls, value: str) -> str:
        return check_host(value)

    @field_validator("database", check_fields=False)
    @classmethod
    def _database(cls, value: str) -> str:
        return check_identifier(value, "database")
