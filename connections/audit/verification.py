"""Walking the hash chains to find edited, removed or forged events."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Row, make_url, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from connections.audit.chain import GENESIS_HASH, event_hash
from connections.db.engine import create_engine, session_factory
from connections.db.models import AuditEvent, AuditHead
from core.redaction import redact_text

__all__ = ["Problem", "VerifyReport", "verify", "verify_command"]

_BATCH = 500

# Plain columns rather than entities: nothing piles up in the session's identity map, and
# a cached object could hide what the database now holds.
_COLUMNS = tuple(AuditEvent.__table__.c)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one tenant's chain.

    Attributes:
        tenant_id: Whose chain.
        seq: Where in the chain; for a missing event, the ``seq`` of the event found after
            the gap; for a head that points past the events, the head's ``seq``.
        event_id: The event concerned, if there is one.
        message: What is wrong, e.g. ``hash mismatch: event edited``.
    """

    tenant_id: str
    seq: int
    event_id: str | None
    message: str

    def __str__(self) -> str:
        event = f" event {self.event_id}" if self.event_id else ""
        return f"tenant {self.tenant_id} seq {self.seq}{event}: {self.message}"


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of :func:`verify`.

    Attributes:
        tenants: How many tenants' chains were walked.
        events: How many events were read.
        problems: Everything found wrong, by tenant then position in the chain.
    """

    tenants: int
    events: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Whether every chain is intact."""
        return not self.problems


@dataclass
class _Walk:
    """One tenant's chain, read in ``seq`` order and checked link by link."""

    tenant_id: str
    events: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    last_id: str | None = None
    problems: list[Problem] = field(default_factory=list)

    async def read(self, db: AsyncSession) -> None:
        """Check every event after the last one seen, a batch at a time."""
        while True:
            query = (
                select(*_COLUMNS)
                .where(AuditEvent.tenant_id == self.tenant_id)
                .order_by(AuditEvent.seq)
                .limit(_BATCH)
            )
            if self.events:
                query = query.where(AuditEvent.seq > self.last_seq)
            rows = (await db.execute(query)).all()
            for row in rows:
                self._check(row)
            if len(rows) < _BATCH:
                return

    def _check(self, row: Row[*tuple[Any, ...]]) -> None:
        expected = self.last_seq + 1
        if row.seq > expected:
            # The link across a gap is necessarily broken; reporting it too would be noise.
            self._problem(row, f"missing event before seq {row.seq}")
        elif row.seq < expected:
            self._problem(row, f"unexpected seq {row.seq}, expected {expected}")
        elif row.prev_hash != self.last_hash:
            self._problem(row, "prev_hash does not match the previous event's hash")
        if event_hash(row._asdict()) != row.hash:
            self._problem(row, "hash mismatch: event edited")
        self.events += 1
        self.last_seq, self.last_hash, self.last_id = row.seq, row.hash, row.id

    def _problem(self, row: Row[*tuple[Any, ...]], message: str) -> None:
        self.problems.append(Problem(self.tenant_id, row.seq, row.id, message))

    def check_head(self, head: Row[int, str] | None) -> None:
        """Compare the head row with the last event read."""
        if head is None:
            if self.events:
                self.problems.append(
                    Problem(self.tenant_id, self.last_seq, self.last_id, "head missing")
                )
            return
        if head.seq > self.last_seq:
            # Removing the newest events leaves no gap; only the head remembers them.
            message = (
                f"head points past the last event "
                f"(head seq {head.seq}, last event seq {self.last_seq})"
            )
            self.problems.append(Problem(self.tenant_id, head.seq, None, message))
        elif head.seq < self.last_seq:
            message = f"event after the head (head seq {head.seq}): appended outside the chain"
            self.problems.append(Problem(self.tenant_id, self.last_seq, self.last_id, message))
        elif head.hash != self.last_hash:
            message = "head hash does not match the last event"
            self.problems.append(Problem(self.tenant_id, self.last_seq, self.last_id, message))


async def verify(db: AsyncSession, tenant_id: str | None = None) -> VerifyReport:
    """Walk the chains and report every edited, removed or forged event.

    Each chain is read in ``seq`` order a batch at a time: every hash is recomputed, every
    ``prev_hash`` compared with the previous event's hash, every gap in ``seq`` reported,
    and the tenant's head compared with its last event, which is how a removed newest
    event shows. Events appended while the walk runs are followed, not reported.

    Args:
        db: A session; only read from.
        tenant_id: Check only this tenant; by default, every tenant with events or a head.

    Returns:
        The counts and the problems found.
    """
    if tenant_id is not None:
        tenants = [tenant_id]
    else:
        with_events = await db.scalars(select(AuditEvent.tenant_id).distinct())
        with_heads = await db.scalars(select(AuditHead.tenant_id))
        tenants = sorted({*with_events, *with_heads})
    events = 0
    problems: list[Problem] = []
    for tenant in tenants:
        walk = _Walk(tenant)
        await walk.read(db)
        head = await _head(db, tenant)
        # The head is read after the events and commits with them, so a head further on
        # means appends landed after the walk (keep reading) or events were removed.
        while head is not None and head.seq > walk.last_seq:
            seen = walk.events
            await walk.read(db)
            if walk.events == seen:
                break
            head = await _head(db, tenant)
        walk.check_head(head)
        events += walk.events
        problems.extend(walk.problems)
    return VerifyReport(tenants=len(tenants), events=events, problems=tuple(problems))


async def _head(db: AsyncSession, tenant_id: str) -> Row[int, str] | None:
    query = select(AuditHead.seq, AuditHead.hash).where(AuditHead.tenant_id == tenant_id)
    return (await db.execute(query)).first()


def verify_command(database_url: str) -> int:
    """``ingestion-agent audit verify``: check every chain and print a summary.

    Prints one line per problem, then ``audit chain OK: N events in M tenants`` or
    ``audit chain BROKEN: K problems``.

    Args:
        database_url: The connection service's database, e.g. ``sqlite:///var/ia.db``.

    The database is only read: it is not migrated, and a SQLite file that does not exist is
    reported rather than created.

    Returns:
        0 if every chain is intact, 1 if any is broken, 2 if the database could not be read.
    """
    missing = _missing_sqlite_file(database_url)
    if missing is not None:
        sys.stderr.write(f"audit verify failed: no database at {missing}\n")
        return 2
    try:
        report = asyncio.run(_verify_database(database_url))
    except (SQLAlchemyError, OSError) as exc:
        # A short line, not a traceback: tracebacks can carry connection strings.
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        sys.stderr.write(f"audit verify failed: {redact_text(reason)}\n")
        return 2
    for problem in report.problems:
        sys.stdout.write(f"{problem}\n")
    if report.ok:
        sys.stdout.write(f"audit chain OK: {report.events} events in {report.tenants} tenants\n")
        return 0
    sys.stdout.write(f"audit chain BROKEN: {len(report.problems)} problems\n")
    return 1


def _missing_sqlite_file(database_url: str) -> Path | None:
    # Connecting to SQLite creates the file, which a read-only check must not do.
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return None if path.exists() else path


async def _verify_database(database_url: str) -> VerifyReport:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as db:
            return await verify(db)
    finally:
        await engine.dispose()
