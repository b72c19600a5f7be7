"""The scheduler: each active source pulled on its cron, each tick once, missed ticks once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ulid import ULID

from connections.db.models import Agent, DataSource, Sync
from connections.rules import RuleSet
from connections.runner import RecordingRunner
from connections.scheduler import Scheduler, latest_tick
from core.ids import new_id

CREATED = datetime(2026, 1, 10, 0, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    """A UTC time from ``2026-01-10T06:00``-style text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("cron", "now", "tick"),
    [
        pytest.param("0 */6 * * *", "2026-01-10T07:30:00", "2026-01-10T06:00:00", id="past-tick"),
        pytest.param("0 */6 * * *", "2026-01-10T06:00:00", "2026-01-10T06:00:00", id="exactly-on"),
        pytest.param("0 */6 * * *", "2026-01-10T05:59:59", "2026-01-10T00:00:00", id="just-before"),
        pytest.param("* * * * *", "2026-01-10T07:30:45", "2026-01-10T07:30:00", id="every-minute"),
        pytest.param("* * * * * 30", "2026-01-10T07:31:10", "2026-01-10T07:30:30", id="seconds"),
    ],
)
def test_the_latest_tick_is_at_or_before_now(cron: str, now: str, tick: str) -> None:
    assert latest_tick(cron, "UTC", at(now)) == at(tick)


@pytest.mark.parametrize(
    ("now", "tick"),
    [
        pytest.param("2026-01-15T12:00:00", "2026-01-15T08:00:00", id="winter-utc+1"),
        pytest.param("2026-07-15T12:00:00", "2026-07-15T07:00:00", id="summer-utc+2"),
    ],
)
def test_ticks_follow_the_sources_time_zone(now: str, tick: str) -> None:
    assert latest_tick("0 9 * * *", "Europe/Paris", at(now)) == at(tick)


@pytest.mark.parametrize(
    ("cron", "zone"), [("not a cron", "UTC"), ("0 * * * *", "Mars/Olympus")], ids=["cron", "zone"]
)
def test_bad_schedules_are_refused(cron: str, zone: str) -> None:
    with pytest.raises(ValueError, match=r"cron|zone"):
        latest_tick(cron, zone, CREATED)


class Clock:
    """A settable clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Sources:
    """Adds agents and sources for scheduler tests (each test's own tenant)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self.tenant = f"tenant-{ULID()}".lower()
        self.ids: list[str] = []

    async def agent(self, *, auto_pull: bool = True, cron: str = "0 */6 * * *") -> str:
        rules = RuleSet().model_dump(mode="json")
        rules["data_sources"]["auto_pull_on_schedule"] = auto_pull
        row = Agent(
            id=new_id("agt"),
            tenant_id=self.tenant,
            name=f"a-{ULID()}",
            default_cron=cron,
            rules=rules,
            created_by="t",
        )
        async with self.sessions() as db:
            db.add(row)
            await db.commit()
        return row.id

    async def source(
        self,
        agent_id: str,
        *,
        cron: str | None = "0 */6 * * *",
        timezone: str = "UTC",
        status: str = "active",
        role: str = "INVENTORY_SOURCE",
        created: datetime = CREATED,
    ) -> str:
        row = DataSource(
            id=new_id("src"),
            tenant_id=self.tenant,
            agent_id=agent_id,
            role=role,
            type="S3",
            name=f"s-{ULID()}",
            config={"bucket": "b"},
            schedule_cron=cron,
            schedule_timezone=timezone,
            status=status,
            created_by="t",
            created_at=created,
        )
        async with self.sessions() as db:
            db.add(row)
            await db.commit()
        self.ids.append(row.id)
        return row.id

    async def scheduled_sync(self, source_id: str, created: datetime) -> None:
        async with self.sessions() as db:
            db.add(
                Sync(
                    id=new_id("syn"),
                    tenant_id=self.tenant,
                    source_id=source_id,
                    direction="inbound",
                    trigger="schedule",
                    status="succeeded",
                    created_at=created,
                )
            )
            await db.commit()


@pytest.fixture
async def sources(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Sources]:
    """This test's sources; removed afterwards, since the scheduler sees every tenant's."""
    made = Sources(sessions)
    yield made
    async with sessions() as db:
        await db.execute(delete(DataSource).where(DataSource.tenant_id == made.tenant))
        await db.execute(delete(Agent).where(Agent.tenant_id == made.tenant))
        await db.commit()


async def _scan(
    sessions: async_sessionmaker[AsyncSession],
    sources: Sources,
    now: datetime,
    runner: RecordingRunner | None = None,
) -> list[str]:
    """Keys a fresh scheduler fires at ``now`` for this test's sources."""
    scheduler = Scheduler(sessions, runner or RecordingRunner(), clock=Clock(now))
    return [k for k in await scheduler.scan() if k.split(":")[1] in sources.ids]


async def test_a_due_tick_is_submitted_as_a_keyed_scheduled_pull(
    sessions: async_sessionmaker[AsyncSession], sources: Sources
) -> None:
    source = await sources.source(await sources.agent())
    runner = RecordingRunner()

    keys = await _scan(sessions, sources, at("2026-01-10T06:00:30"), runner)

    assert keys == [f"pull:{source}:2026-01-10T06:00:00Z"]
    (submission,) = [s for s in runner.submitted if s.key == keys[0]]
    assert submission.args == (source, "schedule", None)


async def test_a_tick_fires_once_however_often_the_scheduler_looks(
    sessions: async_sessionmaker[AsyncSession], sources: Sources
) -> None:
    source = await sources.source(await sources.agent())
    clock = Clock(at("2026-01-10T06:00:30"))
    scheduler = Scheduler(sessions, RecordingRunner(), clock=clock)

    first = await scheduler.scan()
    clock.now += timedelta(minutes=1)
    second = await scheduler.scan()
    clock.now = at("2026-01-10T12:00:10")
    third = await scheduler.scan()

    mine = [k for k in first + second + third if source in k]
    assert mine == [
        f"pull:{source}:2026-01-10T06:00:00Z",
        f"pull:{source}:2026-01-10T12:00:00Z",
    ]


async def test_a_tick_another_process_pulled_already_is_not_fired_after_a_restart(
    sessions: async_sessionmaker[AsyncSession], sources: Sources
) -> None:
    source = await sources.source(await sources.agent())
    await sources.scheduled_sync(source, at("2026-01-10T06:00:02"))

    assert await _scan(sessions, sources, at("2026-01-10T06:05:00")) == []


async def test_ticks_missed_while_down_are_replayed_once(
    sessions: async_sessionmaker[AsyncSession], sources: Sources
) -> None:
    source = await sources.source(await sources.agent())
    await sources.scheduled_sync(source, at("2026-01-10T00:00:01"))

    # Down from 01:00 to 19:30: the 06:00, 12:00 and 18:00 ticks were missed.
    keys = await _scan(sessions, sources, at("2026-01-10T19:30:00"))

    assert keys == [f"pull:{source}:2026-01-10T18:00:00Z"]


async def test_a_source_without_its_own_cron_follows_the_agents(
    sessions: async_sessionmaker[AsyncSession], sources: Sources
) -> None:
    source = await sources.source(await sources.agent(cron="30 * * * *"), cron=None)

    keys = await _scan(sessions, sources, at("2026-01-10T07:31:00"))

    assert keys == [f"pull:{source}:2026-01-10T07:30:00Z"]


@pytest.mark.parametrize(
    ("agent", "source"),
    [
        pytest.param({"auto_pull": False}, {}, id="rule-off"),
        pytest.param({}, {"status": "paused"}, id="paused"),
        pytest.param({}, {"role": "RESULTS_SINK"}, id="sink"),
        pytest.param({}, {"created": at("2026-01-10T06:10:00")}, id="created-after-the-tick"),
        pytest.param({}, {"cron": "not a cron"}, id="bad-cron"),
    ],
)
async def test_sources_that_are_not_due_are_left_alone(
    sessions: async_sessionmaker[AsyncSession],
    sources: Sources,
    agent: dict[str, Any],
    source: dict[str, Any],
) -> None:
    await sources.source(await sources.agent(**agent), **source)

    assert await _scan(sessions, sources, at("2026-01-10T06:30:00")) == []


async def test_a_paused_source_resumed_later_is_pulled_at_its_next_scan(
    sessions: async_sessionmaker[AsyncSession], sources: Sources
) -> None:
    source = await sources.source(await sources.agent(), status="paused")
    clock = Clock(at("2026-01-10T06:30:00"))
    scheduler = Scheduler(sessions, RecordingRunner(), clock=clock)
    assert not [k for k in await scheduler.scan() if source in k]

    async with sessions() as db:
        await db.execute(update(DataSource).where(DataSource.id == source).values(status="active"))
        await db.commit()
    clock.now += timedelta(minutes=1)

    assert [k for k in await scheduler.scan() if source in k] == [
        f"pull:{source}:2026-01-10T06:00:00Z"
    ]


async def test_two_schedulers_firing_the_same_tick_submit_the_same_key(
    sessions: async_sessionmaker[AsyncSession], sources: Sources
) -> None:
    """What makes two API processes queue one pull: a runner takes each key once."""
    source = await sources.source(await sources.agent())
    shared = RecordingRunner()
    now = at("2026-01-10T06:00:01")

    await Scheduler(sessions, shared, clock=Clock(now)).scan()
    await Scheduler(sessions, shared, clock=Clock(now)).scan()

    key = f"pull:{source}:2026-01-10T06:00:00Z"
    assert shared.keys.count(key) == 1
    assert shared.refused.count(key) == 1
