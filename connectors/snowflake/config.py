"""Configuration of the Snowflake connector; the login is :class:`DatabaseSecrets`.

``schema`` is the session's default schema, as in Snowflake's own connection settings;
``schemas`` chooses what discovery looks at (all schemas of the database when empty).
``host`` and ``port`` are for the unusual cases (PrivateLink, a proxy); by default the
account's own ``<account>.snowflakecomputing.com:443`` is used.
"""

from __future__ import annotations

import re
import warnings

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
    schema_names,
)

__all__ = ["SnowflakeConfig"]

# An account identifier: orgname-account, or a locator with region and cloud
# (xy12345.us-east-2.aws). Pasted URLs are cut down to it.
_ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,254}$")
_SUFFIX = re.compile(r"\.snowflakecomputing\.(com|cn)$", re.IGNORECASE)
_DEFAULT_PORT = 443


# The field is called ``schema`` as in Snowflake's settings and the chat; pydantic warns that
# it shadows ``BaseModel.schema``, a deprecated alias of ``model_json_schema`` we never use.
warnings.filterwarnings(
    "ignore", message='Field name "schema" in "SnowflakeConfig"', category=UserWarning
)


class SnowflakeConfig(BaseModel):
    """Which account, warehouse and database to read from. Nothing here is secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str = Field(
        title="Account",
        description=(
            "What is the Snowflake account identifier (e.g. myorg-myaccount, or "
            "xy12345.us-east-2.aws)?"
        ),
        examples=["myorg-myaccount"],
        json_schema_extra=SOURCE_ONLY,
    )
    warehouse: str = Field(
        title="Warehouse",
        description="Which warehouse should run the queries?",
        examples=["COMPUTE_WH"],
        json_schema_extra=SOURCE_ONLY,
    )
    database: str = Field(
        title="Database",
        description="Which database should I read from?",
        examples=["ANALYTICS"],
        json_schema_extra=SOURCE_ONLY,
    )
    schema: str = Field(  # type: ignore[assignment]
        title="Schema",
        description="Which schema should the session start in (e.g. PUBLIC)?",
        examples=["PUBLIC"],
        json_schema_extra=SOURCE_ONLY,
    )
    role: str = Field(
        title="Role",
        description="Which role should I use (it needs USAGE on the warehouse and database)?",
        examples=["REPORTER"],
        json_schema_extra=SOURCE_ONLY,
    )
    schemas: str = Field(
        default="",
        title="Schemas",
        description=(
            "Which schemas should I look at? Separate names with commas; leave empty for "
            "all of them."
        ),
        examples=["PUBLIC, SALES"],
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
            "Which column tells new rows apart, per stream (e.g. PUBLIC.ORDERS: UPDATED_AT)? "
            "Streams without one are read whole each time."
        ),
        examples=["PUBLIC.ORDERS: UPDATED_AT"],
        json_schema_extra=SOURCE_ONLY,
    )
    host: str | None = Field(
        default=None,
        title="Host",
        description=(
            "Only for PrivateLink or a proxy: which host name should I connect to instead "
            "of <account>.snowflakecomputing.com?"
        ),
        examples=["myorg-myaccount.privatelink.snowflakecomputing.com"],
        json_schema_extra=SOURCE_ONLY,
    )
    port: int = Field(
        default=_DEFAULT_PORT,
        title="Port",
        description="Which port, if not 443?",
        examples=[443],
        ge=1,
        le=65535,
        json_schema_extra=SOURCE_ONLY,
    )

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        account = value.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
        account = _SUFFIX.sub("", account)
        if not _ACCOUNT.match(account):
            raise ValueError("an account identifier looks like myorg-myaccount")
        return account

    @field_validator("warehouse", "database", "schema", "role")
    @classmethod
    def _names(cls, value: str) -> str:
        return check_identifier(value, "Snowflake object")

    @field_validator("schemas", mode="before")
    @classmethod
    def _schemas(cls, value: object) -> str:
        return check_schemas(value)

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, value: object) -> object:
        return extract_format(value)

    @field_validator("cursor_fields", mode="before")
    @classmethod
    def _cursor_fields(cls, value: object) -> dict[str, str]:
        return check_cursor_fields(value)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str | None) -> str | None:
        return check_host(value) if value and value.strip() else None

    @property
    def schema_names(self) -> tuple[str, ...]:
        """The schemas to discover; empty for all but INFORMATION_SCHEMA."""
        return schema_names(self.schemas)

    @property
    def endpoint_host(self) -> str:
        """The host the connection goes to."""
        return self.host or f"{self.account}.snowflakecomputing.com"
