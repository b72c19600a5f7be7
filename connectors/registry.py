"""The registry of connector types: what exists, its fields, and which roles it serves."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connectors.base import Connector, ConnectorContext
from connectors.errors import InvalidConfigError
from connectors.mysql import MySqlConnector
from connectors.postgres import PostgresConnector
from connectors.s3 import S3Connector
from connectors.snowflake import SnowflakeConnector
from connectors.spec import ConnectorSpec, Role
from connectors.webhook import WebhookConnector

__all__ = ["ConnectorRegistry", "default_registry"]

AnyConnector = Connector[Any, Any]


class ConnectorRegistry(Mapping[str, type[AnyConnector]]):
    """Connector classes by type (``S3``, ``WEBHOOK``), looked up case-insensitively."""

    def __init__(self, connectors: tuple[type[AnyConnector], ...]) -> None:
        self._by_type = {c.spec.type: c for c in connectors}

    def __getitem__(self, type_: str) -> type[AnyConnector]:
        return self._by_type[type_.strip().upper()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_type)

    def __len__(self) -> int:
        return len(self._by_type)

    def specs(self, role: Role | None = None) -> list[ConnectorSpec]:
        """Every spec, optionally only those that can serve ``role``."""
        return [c.spec for c in self._by_type.values() if role is None or role in c.spec.roles]

    def create(self, type_: str, context: ConnectorContext) -> AnyConnector:
        """An instance of the connector for ``type_``.

        Raises:
            InvalidConfigError: No such type.
        """
        try:
            cls = self[type_]
        except KeyError:
            known = ", ".join(sorted(self._by_type))
            raise InvalidConfigError(
                f"Unknown connector type {type_!r}. Known types: {known}.", field="type"
            ) from None
        return cls(context)


def default_registry() -> ConnectorRegistry:
    """The connectors this build ships, in the order the chat offers them."""
    return ConnectorRegistry(
        (PostgresConnector, MySqlConnector, SnowflakeConnector, S3Connector, WebhookConnector)
    )
