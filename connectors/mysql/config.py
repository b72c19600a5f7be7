"""Configuration of the MySQL / MariaDB connector; the login is :class:`DatabaseSecrets`.

In MySQL a schema is a database. The configured database is the one discovered by
default; ``schemas`` may name other databases on the same server to discover instead.
Streams are named ``database.table`` either way.
"""

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

__all__ = ["MySqlConfig", "MySqlSslMode"]

MySqlSslMode = Literal["disabled", "preferred", "required", "verify-ca", "verify-identity"]
"""The MySQL client's ``--ssl-mode`` values, in lower case."""

# libpq's spellings and words people use, as MySQL's.
_SSL_SYNONYMS = {
    "disable": "disabled",
    "off": "disabled",
    "false": "disabled",
    "no": "disabled",
    "prefer": "preferred",
    "allow": "preferred",
    "require": "required",
    "on": "required",
    "true": "required",
    "yes": "required",
    "verify-full": "verify-identity",
}


class MySqlConfig(ServerConfig):
    """Where the database is and what to read from it. Nothing here is secret."""

    host: str = host_field()
    port: int = port_field("MySQL", 3306)
    database: str = database_field("shop", max_length=64)
    schemas: str = schemas_field(
        "shop, crm",
        title="Databases to discover",
        description=(
            "Which databases on this server should I look at? Separate names with commas; "
            "leave empty for just the one above."
        ),
    )
    sslmode: MySqlSslMode = Field(
        default="preferred",
        title="SSL mode",
        description=(
            "How strictly should the connection be encrypted: disabled, preferred, required, "
            "verify-ca or verify-identity?"
        ),
        examples=["required"],
        json_schema_extra=SOURCE_ONLY,
    )
    format: ExtractFormat = format_field()
    cursor_fields: dict[str, str] = cursor_fields_field("shop.orders: updated_at")

    @field_validator("sslmode", mode="before")
    @classmethod
    def _sslmode(cls, value: object) -> object:
        return normalise_choice(value, _SSL_SYNONYMS)

    @property
    def schema_names(self) -> tuple[str, ...]:
        """The databases discovery looks at: ``schemas``, or the configured database."""
        return super().schema_names or (self.database,)
