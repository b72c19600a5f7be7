"""Configuration of the PostgreSQL connector; the login is :class:`DatabaseSecrets`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from connectors.sql.config import (
    SOURCE_ONLY,
    DatabaseConfig,
    ExtractFormat,
    check_host,
    check_identifier,
    cursor_fields_field,
    format_field,
    normalise_choice,
    schemas_field,
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


class PostgresConfig(DatabaseConfig):
    """Where the database is and what to read from it. Nothing here is secret."""

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
    schemas: str = schemas_field("public, sales")
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
    format: ExtractFormat = format_field()
    cursor_fields: dict[str, str] = cursor_fields_field("public.orders: updated_at")

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return check_host(value)

    @field_validator("database")
    @classmethod
    def _database(cls, value: str) -> str:
        return check_identifier(value, "database")

    @field_validator("sslmode", mode="before")
    @classmethod
    def _sslmode(cls, value: object) -> object:
        return normalise_choice(value, _SSL_SYNONYMS)
