"""Configuration of the Snowflake connector; the login is :class:`DatabaseSecrets`.

``schema`` is the session's default schema, as in Snowflake's own connection settings;
``schemas`` chooses what discovery looks at (all schemas of the database when empty).
``host`` and ``port`` are for the unusual cases (PrivateLink, a proxy); by default the
account's own ``<account>.snowflakecomputing.com:443`` is used.
"""

from __future__ import annotations

import re
import warnings

from pydantic import Field, field_validator

from connectors.sql.config import (
    SOURCE_ONLY,
    DatabaseConfig,
    ExtractFormat,
    check_host,
    check_identifier,
    cursor_fields_field,
    format_field,
    schemas_field,
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


class SnowflakeConfig(DatabaseConfig):
    """Which account, warehouse and database to read from. Nothing here is secret."""

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
    schemas: str = schemas_field("PUBLIC, SALES")
    format: ExtractFormat = format_field()
    cursor_fields: dict[str, str] = cursor_fields_field("PUBLIC.ORDERS: UPDATED_AT")
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

    @field_validator("host")
    @classmethod
    def _host(cls, value: str | None) -> str | None:
        return check_host(value) if value and value.strip() else None

    @property
    def endpoint_host(self) -> str:
        """The host the connection goes to."""
        return self.host or f"{self.account}.snowflakecomputing.com"
