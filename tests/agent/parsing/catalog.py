"""The connector types the parser tests offer, in the order the chat offers them.

S3 and the webhook are the real specs from the registry. PostgreSQL, MySQL and Snowflake keep
the shorter field lists of seed 002's templates, with the real specs' names, aliases and DSN
schemes (the parsers know no connector fact of their own).
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

_REGISTRY = {spec.type: spec for spec in default_registry().specs()}


def _stand_in(type_: str, label: str, fields: tuple[FieldSpec, ...]) -> ConnectorSpec:
    real = _REGISTRY[type_]
    names = {f.name for f in fields}
    return ConnectorSpec(
        type=type_,
        label=label,
        aliases=real.aliases,
        roles=SOURCE,
        fields=fields,
        dsn_schemes=real.dsn_schemes,
        dsn_form=real.dsn_form,
        zero_stream_hints=real.zero_stream_hints,
        reask={k: tuple(n for n in v if n in names) for k, v in real.reask.items()},
    )


POSTGRES = _stand_in("POSTGRES", "PostgreSQL", _DATABASE_FIELDS)
MYSQL = _stand_in("MYSQL", "MySQL", _DATABASE_FIELDS)
SNOWFLAKE = _stand_in(
    "SNOWFLAKE",
    "Snowflake",
    (
        _field("account", "Account"),
        _field("warehouse", "Warehouse"),
        _field("database", "Database"),
        _field("schema", "Schema"),
        _field("role", "Role"),
        _field("username", "Username"),
        _field("password", "Password", secret=True),
    ),
)
S3 = _REGISTRY["S3"]
WEBHOOK = _REGISTRY["WEBHOOK"]

# The order of the options in CONVERSATIONS.md: "2" is MySQL.
TYPES = (POSTGRES, MYSQL, SNOWFLAKE, S3, WEBHOOK)
BY_TYPE = {spec.type: spec for spec in TYPES}
