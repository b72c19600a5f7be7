"""The cron scheduler: each active source is pulled on its ``scheduleCron``.

Every ``interval`` seconds (a minute by default, aligned to the clock) the scheduler looks
at each active inventory source whose agent has ``data_sources.auto_pull_on_schedule`` on.
The source's cron (its own ``scheduleCron``, else the agent's default cron, as seed 000
says) in its ``scheduleTimezone`` gives the latest tick at or before now. That tick is due
unless it was fired already (by this process, or by any process: a scheduled sync of the
source exists since the tick), or it predates the source. A due tick is submitted as
``pull:{sourceId}:{tickTime}``.

Only the latest tick counts, so after downtime a source is pulled once for all the ticks
it missed, never once per tick. Several processes may run schedulers at once: the runner
keys make a tick they all fire one pull.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from croniter import CroniterBadCronError, croniter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connections.db.models import Agent, DataSource, Sync
from connections.db.types import utcnow
from connections.rules import RuleSet
from connections.runner.base import Runner, tick_key
from connectors.spec import Role

__all__ = ["SCHEDULE_TRIGGER", "Scheduler", "latest_tick"]

log = structlog.get_logger(__name__)

SCHEDULE_TRIGGER: Final = "schedule"


def latest_tick(cron: str, timezone: str, now: datetime) -> datetime:
    """The latest time at or before ``now`` that ``cron`` fires in ``timezone``, in UTC.

    Five-field expressions fire on whole minutes; a sixth field (seconds) is allowed.

    Raises:
        ValueError: The cron expression or the time zone is not valid.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    # croniter's get_prev is strictly before its start: start a second later, so that a
    # tick falling exactly on ``now`` counts.
    start = now.astimezone(zone).replace(microsecond=0) + timedelta(seconds=1)
    try:
        tick: datetime = croniter(cron, start).get_prev(datetime)
    except (CroniterBadCronError, ValueError, KeyError) as exc:
        raise ValueError(f"invalid cron expression {cron!r}") from exc
    return tick.astimezone(UTC)


@dataclass(frozen=True)
class _Candidate:
    source_id: str
    tick: datetime


class Scheduler:
    """Fires due cron ticks into a runner.

    Args:
        sessions: The service's database sessions.
        runner: Where due pulls are submitted.
        interval: Seconds between scans.
        clock: The current time (tests pass a fixed one).
        on_start: Awaited once before the first scan (job recovery).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        runner: Runner,
        *,
        interval: float = 60.0,
        clock: Callable[[], datetime] = utcnow,
        on_start: Callable[[], Any] | None = None,
    ) -> None:
        self._sessions = sessions
        self._runner = runner
        self._interval = interval
        self._clock = clock
        self._on_start = on_start
        self._fired: dict[str, datetime] = {}

    async def run(self) -> None:
        """Scan every ``interval`` seconds until cancelled; a failed scan is retried."""
        if self._on_start is not None:
            try:
                await self._on_start()
            except Exception:
                log.exception("scheduler_start_hook_failed")
        while True:
            try:
                await self.scan()
            except Exception:  # the next scan may succeed (the database came back)
                log.exception("scheduler_scan_failed")
            await asyncio.sleep(self._until_next_scan())

    def _until_next_scan(self) -> float:
        # Aligned to the clock (just after the minute, for the default interval), so a
        # tick is seen moments after it is due rather than up to a minute later.
        now = self._clock().timestamp()
        return self._interval - (now % self._interval) + min(0.5, self._interval / 10)

    async def scan(self) -> list[str]:
        """Submit every due tick; return the keys submitted."""
        now = self._clock()
        async with self._sessions() as db:
            candidates = self._candidates(await self._sources(db), now)
            fired = await self._fired_since(db, candidates)
        keys: list[str] = []
        for candidate in candidates:
            if candidate.source_id in fired:
                self._fired[candidate.source_id] = candidate.tick
                continue
            key = tick_key(candidate.source_id, candidate.tick)
            await self._runner.submit_pull(candidate.source_id, trigger=SCHEDULE_TRIGGER, key=key)
            self._fired[candidate.source_id] = candidate.tick
            keys.append(key)
        if keys:
            log.info("scheduler_fired", ticks=len(keys))
        return keys

    @staticmethod
    async def _sources(db: AsyncSession) -> list[Any]:
        query = (
            select(
                DataSource.id,
                DataSource.schedule_cron,
                DataSource.schedule_timezone,
                DataSource.created_at,
                Agent.default_cron,
                Agent.rules,
            )
            .join(Agent, Agent.id == DataSource.agent_id)
            .where(
                DataSource.role == Role.INVENTORY_SOURCE.value,
                DataSource.status == "active",
            )
        )
        return list((await db.execute(query)).all())

    def _candidates(self, rows: Iterable[Any], now: datetime) -> list[_Candidate]:
        due: list[_Candidate] = []
        for source_id, cron, timezone, created_at, default_cron, rules in rows:
            try:
                if not RuleSet.model_validate(rules or {}).data_sources.auto_pull_on_schedule:
                    continue
            except ValueError:
                log.warning("scheduler_bad_rules", source_id=source_id)
                continue
            expression = cron or default_cron
            try:
                tick = latest_tick(expression, timezone or "UTC", now)
            except ValueError:
                log.warning("scheduler_bad_schedule", source_id=source_id)
                continue
            if tick < created_at.replace(microsecond=0):
                continue  # the source did not exist yet
            last = self._fired.get(source_id)
            if last is not None and tick <= last:
                continue
            due.append(_Candidate(source_id, tick))
        return due

    @staticmethod
    async def _fired_since(db: AsyncSession, candidates: list[_Candidate]) -> set[str]:
        """Candidates some process already pulled for their tick (a scheduled sync since)."""
        if not candidates:
            return set()
        ticks = {c.source_id: c.tick for c in candidates}
        done: set[str] = set()
        ids = list(ticks)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = (
                select(Sync.source_id, func.max(Sync.created_at))
                .where(Sync.source_id.in_(chunk), Sync.trigger == SCHEDULE_TRIGGER)
                .group_by(Sync.source_id)
            )
            for source_id, latest in (await db.execute(query)).all():
                if latest is not None and latest >= ticks[source_id]:
                    done.add(source_id)
        return done
