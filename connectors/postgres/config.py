"""Configuration of the PostgreSQL connector; the login is :class:`DatabaseSecrets`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from connectors.sql.config import (
    SOURCE_ONLY,
    ExtractFormat,
    ServerConfig,
    cursor_fields_field,
    database_field,
    format_field,
    host_field,
    normalise_choice,
    port_field,
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


class PostgresConfig(ServerConfig):
    """Where the database is and what to read from it. Nothing here is secret."""

    host: str = host_field()
    port: int = port_field("PostgreSQL", 5432)
    database: str = database_field("warehouse")
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

    @field_validator("sslmode", mode="before")
    @classmethod
    def _sslmode(cls, value: object) -> object:
        return normalise_choice(value, _SSL_SYNONYMS)
