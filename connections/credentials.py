"""Turning REST bodies into what a connector takes: snake_case config and secrets.

A body may carry a ``secret`` object, a ``secretRef`` to a staged or stored secret, or
both (explicit values win). Masks sent back (``ia_****1234``) mean "keep the stored value".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connections.casing import to_camel, to_snake, to_snake_keys
from connections.errors import ValidationError
from connections.vault import Vault, is_mask
from connectors.base import Connector
from connectors.errors import InvalidConfigError
from connectors.registry import ConnectorRegistry
from connectors.spec import DataFormat

__all__ = [
    "Resolved",
    "connector_for",
    "primary_secret",
    "public_secret_fields",
    "resolve",
    "rest_field",
    "secret_values",
    "snake_config",
    "validate",
]

AnyConnector = Connector[Any, Any]


@dataclass(frozen=True)
class Resolved:
    """A connector with validated config and secrets, ready to call."""

    connector: AnyConnector
    config: dict[str, Any]
    secrets: dict[str, str]


def connector_for(registry: ConnectorRegistry, type_: str, context: Any) -> AnyConnector:
    """The connector for ``type_``.

    Raises:
        ValidationError: Unknown type, naming ``type``.
    """
    try:
        return registry.create(type_, context)
    except InvalidConfigError as exc:
        raise ValidationError(exc.message, field="type") from None


def rest_field(connector: AnyConnector, name: str | None) -> str | None:
    """A connector field as REST names it: ``config.bucket``, ``secret.secretAccessKey``."""
    if not name:
        return None
    if name in connector.secrets_model.model_fields:
        return f"secret.{to_camel(name)}"
    if name == "format":
        return "format"
    # Config fields, and unknown keys (which could only have come from the config object).
    return f"config.{to_camel(name)}"


def primary_secret(connector: AnyConnector, values: Mapping[str, str]) -> str | None:
    """The field whose value a mask shows: the first secret field present."""
    for field in connector.spec.fields:
        if field.secret and values.get(field.name):
            return field.name
    return None


def public_secret_fields(connector: AnyConnector) -> frozenset[str]:
    """The parts of a credential that are not secret: a user name, an access key id.

    The vault keeps them with the secret (a login is never split) but does not register
    them for redaction: a user name such as ``postgres`` would otherwise be cut out of
    every later log line that mentions ``postgresql+psycopg``.
    """
    # Only credential fields: anything else in a secret is not the connector's, so the
    # vault keeps treating it as secret.
    return frozenset(f.name for f in connector.spec.fields if f.credential and not f.secret)


def snake_config(
    connector: AnyConnector, config: Mapping[str, Any], fmt: DataFormat | None
) -> dict[str, Any]:
    """REST config (camelCase) as connector config; the top-level ``format`` folded in."""
    result = to_snake_keys(config)
    if fmt is not None and "format" in connector.config_model.model_fields:
        result["format"] = fmt.value
    return result


async def secret_values(
    db: AsyncSession,
    vault: Vault,
    tenant_id: str,
    secret: Mapping[str, str] | None,
    secret_ref: str | None,
) -> dict[str, str]:
    """Stored values (by reference) overlaid with explicit ones; masks and blanks ignored."""
    values: dict[str, str] = {}
    if secret_ref:
        values.update(await vault.reveal(db, tenant_id, secret_ref))
    for key, value in (secret or {}).items():
        if value and not is_mask(value):
            values[to_snake(key)] = value
    return values


def validate(connector: AnyConnector, config: dict[str, Any], secrets: dict[str, str]) -> Resolved:
    """Validate with the connector's models, returning the normalised config.

    Raises:
        ValidationError: Naming the REST field at fault, never echoing a value.
    """
    try:
        cfg, _ = connector.parse(config, secrets)
    except InvalidConfigError as exc:
        field = rest_field(connector, exc.field)
        message = exc.message
        if exc.field and field:
            message = message.replace(exc.field, field, 1)
        raise ValidationError(message, field=field) from None
    normalised = cfg.model_dump(mode="json", exclude_none=True)
    return Resolved(connector=connector, config=normalised, secrets=secrets)


async def resolve(
    db: AsyncSession,
    vault: Vault,
    tenant_id: str,
    connector: AnyConnector,
    *,
    config: Mapping[str, Any],
    fmt: DataFormat | None,
    secret: Mapping[str, str] | None,
    secret_ref: str | None,
) -> Resolved:
    """Everything a REST body says about a connection, validated."""
    values = await secret_values(db, vault, tenant_id, secret, secret_ref)
    return validate(connector, snake_config(connector, config, fmt), values)
