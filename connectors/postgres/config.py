"""Configuration of the PostgreSQL connector; the login is :class:`DatabaseSecrets`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.spec import DataFormat
from connectors.sql.config import (
    SOURCE_ONLY,
    ExtractFormat,
    check_cursor_fields,
    check_host,
    check_identifier,
    check_schemas,
    extract_format,
    normalise_choice,
    schema_names,
)

__all__ = ["PostgresConfig", "SslMode"]

SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
"""libpq's sslmode values."""

# What people type for MySQL's spellings, or in words.
_SSL_SYNONYMS = {
    "disabled": "disable",
    "off": "disable",
    "false": "disable",
    "no": "disable",
    "preferred": "prefer",
    "required": "require",
    "on": "require",
    "true": "require",
    "yes": "require",
    "verify-identity": "verify-full",
}


class PostgresConfig(BaseModel):
    """Where the database is and what to read from it. Nothing here is secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(
        title="Host",
        description="What is the database server's host name or address?",
        examples=["db.example.com"],
        json_schema_extra=SOURCE_ONLY,
    )
    port: int = Field(
        title="Port",
        description="Which port does it listen on (PostgreSQL's default is 5432)?",
        examples=[5432],
        ge=1,
        le=65535,
        json_schema_extra=SOURCE_ONLY,
    )
    database: str = Field(
        title="Database",
        description="Which database should I read from?",
        examples=["warehouse"],
        json_schema_extra=SOURCE_ONLY,
    )
    schemas: str = Field(
        default="",
        title="Schemas",
        description=(
            "Which schemas should I look at? Separate names with commas; leave empty for "
            "all of them."
        ),
        examples=["public, sales"],
        json_schema_extra=SOURCE_ONLY,
    )
    sslmode: SslMode = Field(
        default="prefer",
        title="SSL mode",
        description=(
            "How strictly should the connection be encrypted: disable, allow, prefer, "
            "require, verify-ca or verify-full?"
        ),
        examples=["require"],
        json_schema_extra=SOURCE_ONLY,
    )
    format: ExtractFormat = Field(
        default=DataFormat.NDJSON,
        title="Extract format",
        description="Which file format should table extracts be written as, NDJSON or CSV?",
        examples=["NDJSON"],
        json_schema_extra=SOURCE_ONLY,
    )
    cursor_fields: dict[str, str] = Field(
        default_factory=dict,
        title="Cursor columns",
        description=(
            "Which column tells new rows apart, per stream (e.g. public.orders: "
            "updated_at)? Streams without one are read whole each time."
        ),
        examples=["public.orders: updated_at"],
        json_schema_extra=SOURCE_ONLY,
    )

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return check_host(value)

    @field_validator("database")
    @classmethod
    def _database(cls, value: str) -> str:
        return check_identifier(value, "database")

    @field_validator("schemas", mode="before")
    @classmethod
    def _schemas(cls, value: object) -> str:
        return check_schemas(value)

    @field_validator("sslmode", mode="before")
    @classmethod
    def _sslmode(cls, value: object) -> object:
        return normalise_choice(value, _SSL_SYNONYMS)

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, value: object) -> object:
        return extract_format(value)

    @field_validator("cursor_fields", mode="before")
    @classmethod
    def _cursor_fields(cls, value: object) -> dict[str, str]:
        return check_cursor_fields(value)

    @property
    def schema_names(self) -> tuple[str, ...]:
        """The schemas to discover; empty for all user schemas."""
        return schema_names(self.schemas)
