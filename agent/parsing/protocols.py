"""What the parsers need to know about connector types and their fields.

Structural types, so that callers pass whatever they hold: ``connectors.spec.ConnectorSpec``
and ``FieldSpec`` in-process, or ``connections.schemas.ConnectorTypeOut`` and ``FieldOut``
from the REST API, without this package importing either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["ConnectorTypeLike", "FieldLike"]


class ConnectorTypeLike(Protocol):
    """A connector type as offered to the person (``S3``, ``POSTGRES``...)."""

    @property
    def type(self) -> str:
        """The canonical type name, upper-case."""
        ...

    @property
    def label(self) -> str:
        """The name shown to people ("Amazon S3")."""
        ...

    @property
    def aliases(self) -> Sequence[str]:
        """Other names people use for it."""
        ...

    @property
    def roles(self) -> Sequence[str]:
        """The roles it can serve (``INVENTORY_SOURCE``, ``RESULTS_SINK``)."""
        ...

    @property
    def dsn_schemes(self) -> Sequence[str]:
        """URL schemes that name it in a pasted DSN (``postgresql``, ``s3``)."""
        ...

    @property
    def dsn_form(self) -> str | None:
        """How its DSNs fill the fields: ``host``, ``account``, ``bucket`` or ``url``."""
        ...


class FieldLike(Protocol):
    """One field a person provides for a connector."""

    @property
    def name(self) -> str:
        """The snake_case field name."""
        ...

    @property
    def label(self) -> str:
        """The name shown to people ("Access key ID")."""
        ...

    @property
    def secret(self) -> bool:
        """Whether the value belongs in the vault only."""
        ...

    @property
    def required(self) -> bool:
        """Whether the connector needs it."""
        ...

    @property
    def kind(self) -> str:
        """``string``, ``integer``, ``boolean``, ``enum``, ``url`` or ``mapping``."""
        ...

    @property
    def choices(self) -> Sequence[str]:
        """The allowed values of an ``enum`` field."""
        ...
