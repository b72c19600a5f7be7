"""The connector types the parser tests offer, in the order the chat offers them.

S3 and the webhook are the real specs from the registry; PostgreSQL, MySQL and Snowflake
follow the templates of seed 002 until their connectors exist.
"""

from __future__ import annotations

from connectors.registry import default_registry
from connectors.spec import ConnectorSpec, FieldSpec, Role

SOURCE = (Role.INVENTORY_SOURCE,)


def _field(name: str, label: str, **extra: object) -> FieldSpec:
    return FieldSpec(name=name, label=label, prompt=f"What is the {label.lower()}?", **extra)


_DATABASE_FIELDS = (
    _field("host", "Host"),
    _field("port", "Port", kind="integer"),
    _field("database", "Database"),
    _field("username", "Username"),
    _field("password", "Password", secret=True),
)

POSTGRES = ConnectorSpec(type="POSTGRES", label="PostgreSQL", roles=SOURCE, fields=_DATABASE_FIELDS)
MYSQL = ConnectorSpec(type="MYSQL", label="MySQL", roles=SOURCE, fields=_DATABASE_FIELDS)
SNOWFLAKE = ConnectorSpec(
    type="SNOWFLAKE",
    label="Snowflake",
    roles=SOURCE,
    fields=(
        _field("account", "Account"),
        _field("warehouse", "Warehouse"),
        _field("database", "Database"),
        _field("schema", "Schema"),
        _field("role", "Role"),
        _field("username", "Username"),
        _field("password", "Password", secret=True),
    ),
)
_REGISTRY = {spec.type: spec for spec in default_registry().specs()}
S3 = _REGISTRY["S3"]
WEBHOOK = _REGISTRY["WEBHOOK"]

# The order of the options in CONVERSATIONS.md: "2" is MySQL.
TYPES = (POSTGRES, MYSQL, SNOWFLAKE, S3, WEBHOOK)
BY_TYPE = {spec.type: spec for spec in TYPES}
