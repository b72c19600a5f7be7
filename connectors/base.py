"""The connector contract, after the Airbyte protocol: spec, check, discover, read, write.

A connector is a small class. Subclasses declare ``spec``, a config model and a secrets
model, and implement three hooks: ``_check``, ``_discover`` and ``_read`` (plus ``_write``
for sinks). The public methods here validate input, translate failures and keep the
promise that ``check`` never raises. Secrets always arrive apart from config, at call time.

A connector whose data are files (an S3 prefix, a URL) is a :class:`FileConnector`: its
``files`` hook opens a :class:`~connectors.files.FileSource`, which the sync engine pulls
without knowing the connector (see :mod:`connectors.files`).
"""

from __future__ import annotations

import ssl
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import structlog
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from connectors.errors import ConnectorError, InvalidConfigError
from connectors.files import FileSource
from connectors.guard import NetworkPolicy
from connectors.results import (
    Catalog,
    CheckResult,
    CheckStep,
    FailureClass,
    RecordMessage,
    StateMessage,
    StepStatus,
    WriteResult,
)
from connectors.spec import ConnectorSpec, DataFormat, Role
from core.redaction import register_secret

__all__ = [
    "CheckSteps",
    "Connector",
    "ConnectorContext",
    "Delivery",
    "FileConnector",
    "ReadMessage",
]

log = structlog.get_logger(__name__)

ConfigT = TypeVar("ConfigT", bound=BaseModel)
SecretsT = TypeVar("SecretsT", bound=BaseModel)
ReadMessage = RecordMessage | StateMessage


@dataclass(frozen=True)
class ConnectorContext:
    """Process-wide settings every connector call runs under.

    Attributes:
        network: The connection guard's policy for customer-given hosts.
        ssl_context: Trust store for HTTPS peers; ``None`` means the system defaults.
        timeout: Seconds allowed for one network operation.
        sample_files: Files read per stream when ``discover`` infers columns.
        sample_rows: Rows read per file when inferring columns.
    """

    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    ssl_context: ssl.SSLContext | None = None
    timeout: float = 10.0
    sample_files: int = 5
    sample_rows: int = 200


class Delivery(BaseModel):
    """A result file handed to a sink's ``write``.

    ``delivery_id`` stays the same across retries of one delivery, so receivers can
    de-duplicate (it becomes the ``webhook-id`` header).
    """

    model_config = ConfigDict(frozen=True)

    job_id: str
    path: Path
    format: DataFormat
    delivery_id: str


class CheckSteps:
    """Records the steps of a check in order; unfinished steps end up ``skipped``."""

    def __init__(self, names: Sequence[str]) -> None:
        self._names = tuple(names)
        self._done: dict[str, CheckStep] = {}
        self.details: dict[str, Any] = {}

    @contextmanager
    def step(self, name: str, ok_message: str = "") -> Iterator[dict[str, str]]:
        """Run one step; set ``note["message"]`` inside to describe its success.

        A :class:`ConnectorError` inside marks the step failed with the error's plain
        message and propagates.
        """
        if name not in self._names:
            raise ValueError(f"undeclared check step {name!r}")
        note = {"message": ok_message}
        try:
            yield note
        except ConnectorError as exc:
            self._done[name] = CheckStep(name=name, status=StepStatus.FAILED, message=exc.message)
            raise
        self._done[name] = CheckStep(name=name, status=StepStatus.OK, message=note["message"])

    def finished(self) -> tuple[CheckStep, ...]:
        """All declared steps, those that never ran marked ``skipped``."""
        return tuple(
            self._done.get(n) or CheckStep(name=n, status=StepStatus.SKIPPED, message="Not run.")
            for n in self._names
        )


class Connector(ABC, Generic[ConfigT, SecretsT]):
    """Base of every connector. See the module docstring for the contract."""

    spec: ClassVar[ConnectorSpec]
    config_model: ClassVar[type[BaseModel]]
    secrets_model: ClassVar[type[BaseModel]]

    def __init__(self, context: ConnectorContext | None = None) -> None:
        self.context = context or ConnectorContext()

    # -- public API ---------------------------------------------------------------------

    def parse(
        self, config: Mapping[str, Any], secrets: Mapping[str, Any]
    ) -> tuple[ConfigT, SecretsT]:
        """Validate raw config and secrets.

        Every ``SecretStr`` value of the secrets is registered for redaction, so it is
        masked in logs and messages from here on.

        Raises:
            InvalidConfigError: Naming the first field at fault; never echoing its value.
        """
        try:
            cfg = self.config_model.model_validate(dict(config))
            sec = self.secrets_model.model_validate(dict(secrets))
        except ValidationError as exc:
            # include_input=False: the rejected value may be a secret typed in the wrong place.
            first = exc.errors(include_input=False, include_url=False)[0]
            loc = ".".join(str(p) for p in first["loc"]) or None
            # Our validators' messages come as "Value error, <message>"; keep the message.
            message = str(first["msg"]).removeprefix("Value error, ")
            raise InvalidConfigError(
                f"{loc or 'config'}: {message}", field=str(first["loc"][0]) if loc else None
            ) from None
        _register_secret_values(sec)
        return cfg, sec  # type: ignore[return-value]

    @abstractmethod
    def check_step_names(self, role: Role) -> tuple[str, ...]:
        """The steps ``check`` reports for ``role`` after ``validate_config``, in order."""

    async def check(
        self,
        config: Mapping[str, Any],
        secrets: Mapping[str, Any],
        *,
        role: Role = Role.INVENTORY_SOURCE,
    ) -> CheckResult:
        """Test the connection cheaply and read-only (sinks: write access, nothing left).

        Never raises: every failure comes back as a classified :class:`CheckResult`.
        """
        steps = CheckSteps(("validate_config", *self.check_step_names(role)))
        try:
            with steps.step("validate_config", "The settings are complete and well-formed."):
                cfg, sec = self.parse(config, secrets)
                self._require_role(role)
            message = await self._check(cfg, sec, role, steps)
        except ConnectorError as exc:
            log.info("connector_check_failed", connector=self.spec.type, failure=exc.failure)
            return CheckResult(
                ok=False,
                failure=exc.failure,
                message=exc.message,
                field=exc.field,
                steps=steps.finished(),
                details=steps.details,
            )
        except Exception:
            log.exception("connector_check_crashed", connector=self.spec.type)
            return CheckResult(
                ok=False,
                failure=FailureClass.UNKNOWN,
                message="The check failed unexpectedly. The error was logged for an operator.",
                steps=steps.finished(),
                details=steps.details,
            )
        return CheckResult(ok=True, message=message, steps=steps.finished(), details=steps.details)

    def _require_role(self, role: Role) -> None:
        if role not in self.spec.roles:
            raise InvalidConfigError(
                f"{self.spec.label} cannot be used as {role.value}.", field="role"
            )

    async def discover(self, config: Mapping[str, Any], secrets: Mapping[str, Any]) -> Catalog:
        """List the streams the source offers, with inferred columns.

        Raises:
            ConnectorError: Classified; its message is safe to show.
        """
        cfg, sec = self.parse(config, secrets)
        return await self._discover(cfg, sec)

    def read(
        self,
        config: Mapping[str, Any],
        secrets: Mapping[str, Any],
        streams: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[ReadMessage]:
        """Stream records of ``streams``, resuming after ``state``.

        Yields :class:`RecordMessage` items and, at safe points, :class:`StateMessage`
        checkpoints; passing the last state back resumes without duplicates.

        Raises:
            ConnectorError: Classified; its message is safe to show.
        """
        cfg, sec = self.parse(config, secrets)
        return self._read(cfg, sec, tuple(streams), dict(state or {}))

    async def preview(
        self, config: Mapping[str, Any], secrets: Mapping[str, Any], stream: str, limit: int
    ) -> list[dict[str, Any]]:
        """The first ``limit`` records of ``stream`` from a fresh read (no state kept).

        Databases override this with a plain ``LIMIT`` query.

        Raises:
            ConnectorError: Classified; its message is safe to show.
        """
        rows: list[dict[str, Any]] = []
        if limit <= 0:
            return rows
        messages = self.read(config, secrets, [stream])
        try:
            async for message in messages:
                if isinstance(message, RecordMessage):
                    rows.append(message.data)
                    if len(rows) >= limit:
                        break
        finally:
            await messages.aclose()  # type: ignore[attr-defined]
        return rows

    async def write(
        self, config: Mapping[str, Any], secrets: Mapping[str, Any], delivery: Delivery
    ) -> WriteResult:
        """Deliver a result file to the sink.

        Raises:
            ConnectorError: Classified; its message is safe to show.
        """
        self._require_role(Role.RESULTS_SINK)
        cfg, sec = self.parse(config, secrets)
        return await self._write(cfg, sec, delivery)

    # -- hooks --------------------------------------------------------------------------

    @abstractmethod
    async def _check(
        self, config: ConfigT, secrets: SecretsT, role: Role, steps: CheckSteps
    ) -> str:
        """Run the check steps; return the success message."""

    @abstractmethod
    async def _discover(self, config: ConfigT, secrets: SecretsT) -> Catalog:
        """Return the catalog."""

    @abstractmethod
    def _read(
        self,
        config: ConfigT,
        secrets: SecretsT,
        streams: tuple[str, ...],
        state: dict[str, Any],
    ) -> AsyncIterator[ReadMessage]:
        """Yield records and checkpoints."""

    async def _write(
        self,
        config: ConfigT,  # noqa: ARG002 - the hook's signature, used by sinks
        secrets: SecretsT,  # noqa: ARG002
        delivery: Delivery,  # noqa: ARG002
    ) -> WriteResult:
        """Deliver a file; only sinks override this (``write`` checks the role first)."""
        raise InvalidConfigError(f"{self.spec.label} is not a sink.")


class FileConnector(Connector[ConfigT, SecretsT]):
    """A connector whose data are files: the sync engine pulls them through ``files``.

    Subclasses implement one more hook, ``_files``; a new file connector then needs no
    change outside its own folder.
    """

    async def files(
        self, config: Mapping[str, Any], secrets: Mapping[str, Any], *, connections: int = 1
    ) -> FileSource:
        """Open the source's files for one pull (``aclose`` the result when done).

        Args:
            config: The source's settings.
            secrets: Its credentials.
            connections: Files the caller opens at once, at most.

        Raises:
            ConnectorError: Classified; its message is safe to show.
        """
        cfg, sec = self.parse(config, secrets)
        return await self._files(cfg, sec, connections)

    @abstractmethod
    async def _files(self, config: ConfigT, secrets: SecretsT, connections: int) -> FileSource:
        """Return the source's files, ready to list."""


def _register_secret_values(value: object) -> None:
    """Register every ``SecretStr`` inside ``value`` (a model, mapping or sequence)."""
    if isinstance(value, SecretStr):
        register_secret(value.get_secret_value())
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _register_secret_values(getattr(value, name))
    elif isinstance(value, Mapping):
        for item in value.values():
            _register_secret_values(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _register_secret_values(item)
