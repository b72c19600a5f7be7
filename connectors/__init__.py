"""Connectors: one module per external system, all with the same small contract.

``spec`` (typed fields, which are secret), ``check`` (cheap, read-only, never raises),
``discover`` (a catalog of streams), ``read`` (records, resumable from state) and, for
sinks, ``write``. Secrets are passed apart from config and only at call time. Every
connection to a customer-given host passes the connection guard (:mod:`connectors.guard`).
"""

from connectors.base import CheckSteps, Connector, ConnectorContext, Delivery, ReadMessage
from connectors.errors import (
    AuthError,
    BlockedByPolicyError,
    ConnectionFailedError,
    ConnectorError,
    DataFormatError,
    InvalidConfigError,
    ResourceNotFoundError,
)
from connectors.guard import NetworkPolicy
from connectors.registry import ConnectorRegistry, default_registry
from connectors.results import (
    Catalog,
    CheckResult,
    CheckStep,
    Column,
    FailureClass,
    FileInfo,
    RecordMessage,
    StateMessage,
    StepStatus,
    Stream,
    WriteResult,
)
from connectors.spec import ConnectorSpec, DataFormat, FieldSpec, Role

__all__ = [
    "AuthError",
    "BlockedByPolicyError",
    "Catalog",
    "CheckResult",
    "CheckStep",
    "CheckSteps",
    "Column",
    "ConnectionFailedError",
    "Connector",
    "ConnectorContext",
    "ConnectorError",
    "ConnectorRegistry",
    "ConnectorSpec",
    "DataFormat",
    "DataFormatError",
    "Delivery",
    "FailureClass",
    "FieldSpec",
    "FileInfo",
    "InvalidConfigError",
    "NetworkPolicy",
    "ReadMessage",
    "RecordMessage",
    "ResourceNotFoundError",
    "Role",
    "StateMessage",
    "StepStatus",
    "Stream",
    "WriteResult",
    "default_registry",
]
