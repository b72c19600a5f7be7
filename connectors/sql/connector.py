"""The connector contract for databases, shared by PostgreSQL, MySQL and Snowflake.

Each database supplies its config model and a way to open a
:class:`~connectors.sql.session.DatabaseSession`; this class runs the rest the same way
for all of them:

- ``check``: resolve the host through the connection guard, connect (one bounded attempt),
  log in, then run the survey query: the server version and how many tables the user may
  read in the schemas that discovery would look at.
- ``discover``: a few catalog queries for the whole database, never one per table.
- ``read``: one stream after another, full refresh or incremental by cursor column
  (``cursor_fields`` in the config, or the column a saved state names), with checkpoints.
- ``preview``: the first rows of a stream (``LIMIT n``), without state.

Drivers block, so every call runs on a worker thread: ``asyncio.to_thread`` for the short
ones, :func:`~connectors.threads.iterate_in_thread` for reads.
"""

from __future__ import annotations

import asyncio
import operator
import threading
from abc import abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, TypeVar

import structlog

from connectors.base import CheckSteps, Connector, ReadMessage
from connectors.errors import ConnectorError, ResourceNotFoundError
from connectors.guard import IPAddress
from connectors.results import Catalog, FailureClass
from connectors.spec import ConnectorSpec, DsnForm, Role, fields_of
from connectors.sql.config import DatabaseConfig, DatabaseSecrets
from connectors.sql.errors import cannot_read
from connectors.sql.reading import ReadSettings, read_stream
from connectors.sql.session import DatabaseSession, Purpose, Survey, TableRef
from connectors.sql.state import StreamState, stream_states
from connectors.sql.values import record_maker
from connectors.threads import iterate_in_thread
from core.wording import plural

__all__ = ["SqlConnector", "database_spec"]

log = structlog.get_logger(__name__)

# Failures of the connection itself, reported on the ``connect`` step; every other
# failure of opening a session happened while logging in.
_NETWORK_FAILURES = frozenset(
    {
        FailureClass.UNREACHABLE,
        FailureClass.TIMEOUT,
        FailureClass.TLS,
        FailureClass.BLOCKED_BY_POLICY,
    }
)
_SCHEMAS_SHOWN = 20
_stream_name = operator.attrgetter("name")

ConfigT = TypeVar("ConfigT", bound=DatabaseConfig)


# What a failed test points at in a database login, most likely first.
DATABASE_REASK: dict[FailureClass, tuple[str, ...]] = {
    FailureClass.AUTH_FAILED: ("password", "username"),
    FailureClass.PERMISSION_DENIED: ("username", "password"),
    FailureClass.NOT_FOUND: ("database",),
    FailureClass.UNREACHABLE: ("host", "port"),
    FailureClass.TIMEOUT: ("host", "port"),
    FailureClass.TLS: ("host", "sslmode"),
    FailureClass.BLOCKED_BY_POLICY: ("host",),
    FailureClass.MALFORMED_DATA: ("format",),
}
DATABASE_ZERO_STREAM_HINTS = (
    "the schema is empty or another schema holds the tables",
    "the user lacks permission to see the tables",
)


def database_spec(
    *,
    type_: str,
    label: str,
    aliases: tuple[str, ...],
    config_model: type[DatabaseConfig],
    secrets_model: type[DatabaseSecrets] = DatabaseSecrets,
    dsn_schemes: tuple[str, ...] = (),
    dsn_form: DsnForm = "host",
    reask: Mapping[FailureClass, tuple[str, ...]] = DATABASE_REASK,
) -> ConnectorSpec:
    """The spec of a database source: the config's fields, then the login's."""
    return ConnectorSpec(
        type=type_,
        label=label,
        aliases=aliases,
        roles=(Role.INVENTORY_SOURCE,),
        fields=fields_of(config_model, secrets_model),
        description=(
            "Read tables and views, whole or incrementally by a cursor column, into NDJSON or "
            "CSV extracts."
        ),
        dsn_schemes=dsn_schemes,
        dsn_form=dsn_form,
        zero_stream_hints=DATABASE_ZERO_STREAM_HINTS,
        reask=dict(reask),
    )


class SqlConnector(Connector[ConfigT, DatabaseSecrets], Generic[ConfigT]):
    """A database source; see the module docstring.

    Attributes:
        label: The product's name in messages.
        grant_hint: What to grant a user who may log in but read nothing.
        schema_word: What the product calls the namespaces discovery looks at.
        read_settings: Batch and checkpoint sizes of reads.
    """

    secrets_model = DatabaseSecrets
    label: ClassVar[str]
    grant_hint: ClassVar[str] = "Grant it read access to the tables."
    schema_word: ClassVar[str] = "schema"
    read_settings: ReadSettings = ReadSettings()

    def check_step_names(self, role: Role) -> tuple[str, ...]:  # noqa: ARG002 - sources only
        """Resolve the host, connect, log in, run the survey query."""
        return ("resolve_host", "connect", "authenticate", "query")

    # -- hooks ----------------------------------------------------------------------------

    @abstractmethod
    def endpoint(self, config: ConfigT) -> tuple[str, int]:
        """The host and port the connection goes to (checked by the guard)."""

    @abstractmethod
    def open_session(
        self,
        config: ConfigT,
        secrets: DatabaseSecrets,
        addresses: list[IPAddress],
        purpose: Purpose,
    ) -> DatabaseSession:
        """Connect and log in (blocking), to one of the guard-checked ``addresses``.

        Raises:
            ConnectorError: Classified: unreachable, timeout, tls, auth_failed,
                not_found (the database), permission_denied.
        """

    def host_field(self, config: ConfigT) -> str:  # noqa: ARG002 - Snowflake's depends on it
        """The config field that names the host."""
        return "host"

    def describe_connection(self, config: ConfigT, session: DatabaseSession) -> str:  # noqa: ARG002
        """What the ``connect`` step reports once connected."""
        return f"Connected to {self.label}."

    # -- check ----------------------------------------------------------------------------

    async def _check(
        self,
        config: ConfigT,
        secrets: DatabaseSecrets,
        role: Role,  # noqa: ARG002 - sources only; the base refused other roles
        steps: CheckSteps,
    ) -> str:
        host, port = self.endpoint(config)
        with steps.step("resolve_host") as note, self._blame_host(config):
            addresses = await self.context.network.resolve(host, port)
            shown = ", ".join(str(a) for a in addresses[:3])
            note["message"] = f"{host} resolves to {shown}, which may be contacted."
        session, error = await self._open_in_thread(config, secrets, addresses)
        try:
            with steps.step("connect") as note:
                if error is not None and error.failure in _NETWORK_FAILURES:
                    raise error
                if session is not None:
                    note["message"] = self.describe_connection(config, session)
                else:
                    note["message"] = f"{self.label} answered."
            with steps.step("authenticate") as note:
                if error is not None:
                    raise error
                note["message"] = f"Logged in as {secrets.username} to {config.database}."
            assert session is not None  # noqa: S101 - either a session or an error
            with steps.step("query") as note:
                survey = await asyncio.to_thread(self._survey, session, config.schema_names)
                steps.details.update(_details(survey))
                message = self._judge(survey, secrets.username)
                note["message"] = message
        finally:
            if session is not None:
                await asyncio.to_thread(session.close)
        return message

    async def _open_in_thread(
        self, config: ConfigT, secrets: DatabaseSecrets, addresses: list[IPAddress]
    ) -> tuple[DatabaseSession | None, ConnectorError | None]:
        """Open a session on a worker thread, closing it if the check is cancelled meanwhile.

        A person saying "cancel" cancels the check; the thread still finishes opening,
        and that session must not be left open.
        """
        opening = asyncio.ensure_future(
            asyncio.to_thread(self._try_open, config, secrets, addresses, Purpose.CHECK)
        )
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(_close_opened)
            raise

    def _try_open(
        self,
        config: ConfigT,
        secrets: DatabaseSecrets,
        addresses: list[IPAddress],
        purpose: Purpose,
    ) -> tuple[DatabaseSession | None, ConnectorError | None]:
        try:
            return self.open_session(config, secrets, addresses, purpose), None
        except ConnectorError as exc:
            return None, exc

    @staticmethod
    def _survey(session: DatabaseSession, schemas: tuple[str, ...]) -> Survey:
        with session.translated():
            return session.survey(schemas)

    def _judge(self, survey: Survey, username: str) -> str:
        """The check's verdict on what the user may read.

        Raises:
            ResourceNotFoundError: A schema named in the config does not exist.
            AuthError: permission_denied: there are tables, but none the user may read.
        """
        if survey.missing:
            names = ", ".join(survey.missing)
            word = self.schema_word
            raise ResourceNotFoundError(
                f"There is no {word} {names} in {self.label} (or {username} may not see it). "
                f"Check the {word} names to discover.",
                field="schemas",
            )
        tables = sum(s.tables for s in survey.schemas)
        readable = sum(s.readable for s in survey.schemas)
        where = _schemas_phrase(survey, self.schema_word)
        if tables and not readable:
            raise cannot_read(
                self.label,
                username,
                f"any of the {plural(tables, 'table or view', 'tables and views')} in {where}",
                self.grant_hint,
            )
        if not tables:
            return (
                f"Connected to {survey.server}, but {where} holds no tables or views yet "
                "(or none the user can see)."
            )
        unreadable = f" ({tables - readable} more may not be read)" if readable < tables else ""
        return (
            f"Connected to {survey.server} as {username}: "
            f"{plural(readable, 'table or view', 'tables and views')} to read in {where}"
            f"{unreadable}."
        )

    # -- discover -------------------------------------------------------------------------

    async def _discover(self, config: ConfigT, secrets: DatabaseSecrets) -> Catalog:
        return await asyncio.to_thread(self._discover_sync, config, secrets)

    def _discover_sync(self, config: ConfigT, secrets: DatabaseSecrets) -> Catalog:
        session = self._connect_sync(config, secrets, Purpose.DISCOVER)
        try:
            with session.translated():
                streams = session.catalog(config.schema_names)
        finally:
            session.close()
        streams.sort(key=_stream_name)
        return Catalog.model_construct(streams=tuple(streams))

    def _connect_sync(
        self, config: ConfigT, secrets: DatabaseSecrets, purpose: Purpose
    ) -> DatabaseSession:
        host, port = self.endpoint(config)
        with self._blame_host(config):
            addresses = self.context.network.resolve_sync(host, port)
        return self.open_session(config, secrets, addresses, purpose)

    @contextmanager
    def _blame_host(self, config: ConfigT) -> Iterator[None]:
        """Point the guard's refusals and unresolvable names at the host field."""
        try:
            yield
        except ConnectorError as exc:
            if exc.field is None:
                exc.field = self.host_field(config)
            raise

    # -- read -----------------------------------------------------------------------------

    def _read(
        self,
        config: ConfigT,
        secrets: DatabaseSecrets,
        streams: tuple[str, ...],
        state: dict[str, Any],
    ) -> AsyncIterator[ReadMessage]:
        tables = [TableRef.parse(s) for s in streams]  # a bad name fails before connecting
        return iterate_in_thread(lambda: self._read_sync(config, secrets, tables, state))

    def _read_sync(
        self,
        config: ConfigT,
        secrets: DatabaseSecrets,
        tables: list[TableRef],
        state: Mapping[str, Any],
    ) -> Iterator[ReadMessage]:
        """Read the streams one after another; other streams' states are kept as they are."""
        states = stream_states(state)
        chosen = config.cursor_fields
        session = self._connect_sync(config, secrets, Purpose.READ)
        try:
            for table in tables:
                name = table.stream
                saved = StreamState.from_json(states.get(name))
                cursor_field = chosen.get(name) or saved.cursor_field
                yield from read_stream(
                    session,
                    table,
                    cursor_field=cursor_field,
                    saved=saved,
                    states=states,
                    settings=self.read_settings,
                )
        finally:
            session.close()

    # -- preview --------------------------------------------------------------------------

    async def preview(
        self, config: Mapping[str, Any], secrets: Mapping[str, Any], stream: str, limit: int
    ) -> list[dict[str, Any]]:
        """The first ``limit`` rows of ``stream``, JSON-safe, by ``LIMIT`` (no state).

        Raises:
            ConnectorError: Classified; its message is safe to show.
        """
        cfg, sec = self.parse(config, secrets)
        table = TableRef.parse(stream)
        if limit <= 0:
            return []
        return await asyncio.to_thread(self._preview_sync, cfg, sec, table, limit)

    def _preview_sync(
        self, config: ConfigT, secrets: DatabaseSecrets, table: TableRef, limit: int
    ) -> list[dict[str, Any]]:
        session = self._connect_sync(config, secrets, Purpose.CHECK)
        try:
            sql = session.limit_sql(table, limit)
            with session.translated(table), session.stream_rows(sql, (), batch_rows=limit) as rows:
                make = record_maker([str(d[0]) for d in rows.description or ()])
                found: list[dict[str, Any]] = []
                # LIMIT bounds the rows; reading to the end lets the cursor close cleanly.
                while batch := rows.fetchmany(limit):
                    found.extend(make(row) for row in batch)
                return found
        finally:
            session.close()


def _close_opened(
    opening: asyncio.Future[tuple[DatabaseSession | None, ConnectorError | None]],
) -> None:
    if opening.cancelled() or opening.exception() is not None:
        return
    session, _ = opening.result()
    if session is not None:
        # Closing says goodbye over the network: not on the event loop.
        threading.Thread(target=session.close, name="ia-sql-close", daemon=True).start()


def _schemas_phrase(survey: Survey, word: str) -> str:
    names = [s.name for s in survey.schemas]
    if not names:
        return "the database"
    if len(names) == 1:
        return f"{word} {names[0]}"
    shown = ", ".join(names[:_SCHEMAS_SHOWN]) + (", ..." if len(names) > _SCHEMAS_SHOWN else "")
    return f"{len(names)} {word}s ({shown})"


def _details(survey: Survey) -> dict[str, Any]:
    return {
        "server": survey.server,
        "tls": survey.tls,
        # {schema: tables and views}, as the chat reads it to ask which schemas to look at.
        "schemas": {s.name: s.tables for s in survey.schemas},
        "readable": {s.name: s.readable for s in survey.schemas},
        "tables": sum(s.tables for s in survey.schemas),
        "readable_tables": sum(s.readable for s in survey.schemas),
    }
