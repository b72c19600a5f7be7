"""The in-process runner: keyed work as tasks of this process, each key once at a time."""

from __future__ import annotations

from sqlalchemy import select

from connections.db.models import InventoryUpload, Job, Sync
from connections.runner import InProcessRunner
from tests.connections.push.conftest import SigningReceiver
from tests.connections.runner.conftest import FILES, Chain


async def _syncs(chain: Chain, direction: str) -> list[Sync]:
    async with chain.world.deps.database() as db:
        query = select(Sync).where(
            Sync.tenant_id == chain.world.tenant, Sync.direction == direction
        )
        return list((await db.execute(query)).scalars())


async def test_a_pull_flows_into_jobs_and_pushes(chain: Chain, receiver: SigningReceiver) -> None:
    runner = InProcessRunner(chain.engines)
    chain.engines.jobs.bind(runner)
    chain.engines.pushes.bind(runner)

    await runner.submit_pull(chain.source_id, trigger="manual", key="pull:x:manual:1")
    await runner.drain()

    (pull,) = await _syncs(chain, "inbound")
    assert pull.status == "succeeded"
    assert sorted(e["key"] for e in pull.manifest) == sorted(FILES)
    async with chain.world.deps.database() as db:
        uploads = list(
            (
                await db.execute(
                    select(InventoryUpload).where(InventoryUpload.source_id == chain.source_id)
                )
            ).scalars()
        )
        jobs = list(
            (await db.execute(select(Job).where(Job.tenant_id == chain.world.tenant))).scalars()
        )
    assert len(uploads) == 2
    assert sorted(j.upload_id for j in jobs) == sorted(u.id for u in uploads)
    assert {j.status for j in jobs} == {"succeeded"}
    pushes = await _syncs(chain, "outbound")
    assert sorted(p.job_id or "" for p in pushes) == sorted(j.id for j in jobs)
    assert {p.status for p in pushes} == {"succeeded"}
    assert len(receiver.posts) == 2
    assert all(p.verified for p in receiver.posts)


async def test_a_key_queued_or_running_is_not_queued_again(chain: Chain) -> None:
    runner = InProcessRunner(chain.engines)
    chain.engines.jobs.bind(runner)
    chain.engines.pushes.bind(runner)
    key = f"pull:{chain.source_id}:2026-01-10T06:00:00Z"

    first = await runner.submit_pull(chain.source_id, trigger="schedule", key=key)
    second = await runner.submit_pull(chain.source_id, trigger="schedule", key=key)
    await runner.drain()

    assert (first, second) == (True, False)
    assert len(await _syncs(chain, "inbound")) == 1


async def test_a_key_may_run_again_once_it_ended(chain: Chain) -> None:
    runner = InProcessRunner(chain.engines)
    chain.engines.jobs.bind(runner)
    chain.engines.pushes.bind(runner)
    key = f"pull:{chain.source_id}:manual:again"

    await runner.submit_pull(chain.source_id, trigger="manual", key=key)
    await runner.drain()
    again = await runner.submit_pull(chain.source_id, trigger="manual", key=key)
    await runner.drain()

    assert again is True
    # Nothing new the second time: the pull finds the files it took already.
    second = max(await _syncs(chain, "inbound"), key=lambda s: s.id)
    assert [e["status"] for e in second.manifest] == []


async def test_a_closed_runner_refuses_work_and_lets_running_work_finish(chain: Chain) -> None:
    runner = InProcessRunner(chain.engines)
    chain.engines.jobs.bind(runner)
    chain.engines.pushes.bind(runner)
    await runner.submit_pull(chain.source_id, trigger="manual", key="pull:x:manual:close")

    await runner.aclose()

    assert await runner.submit_pull(chain.source_id, trigger="manual", key="k") is False
    (pull,) = await _syncs(chain, "inbound")
    assert pull.status == "succeeded"


async def test_a_pull_of_a_deleted_source_is_dropped_quietly(chain: Chain) -> None:
    runner = InProcessRunner(chain.engines)

    await runner.submit_pull("src_missing", trigger="schedule", key="pull:src_missing:t")
    await runner.drain()

    assert runner.active == frozenset()
