"""The sync row's life: queued syncs, duplicates, concurrent pulls, interrupted syncs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from mypy_boto3_s3 import S3Client

from connections.db.models import Sync
from connections.db.types import utcnow
from connections.sync import INTERRUPTED, PullEngine, ledger
from core.ids import new_id
from tests.connections.sync.support import Tenant, csv_bytes, put_objects
from tests.support.seaweedfs import SeaweedS3


async def _queued(tenant: Tenant, source_id: str) -> str:
    sync = Sync(
        id=new_id("syn"),
        tenant_id=tenant.tenant_id,
        source_id=source_id,
        direction="inbound",
        trigger="manual",
        status="queued",
        manifest=[],
        checkpoint={},
        created_at=utcnow(),
    )
    async with tenant.deps.database() as db:
        db.add(sync)
        await db.commit()
    return sync.id


async def test_a_queued_sync_is_run_once_however_often_it_is_delivered(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/a.csv": csv_bytes(1)})
    source_id = await tenant.add_s3_source(seaweed, bucket)
    sync_id = await _queued(tenant, source_id)

    first = await puller.pull(source_id, sync_id=sync_id)
    again = await puller.pull(source_id, sync_id=sync_id)

    assert first == again == sync_id
    sync = await tenant.sync(sync_id)
    assert (sync.status, sync.trigger, sync.attempts) == ("succeeded", "manual", 1)
    assert await tenant.count_syncs(source_id) == 1


async def test_two_pulls_at_once_run_one_and_cancel_the_other(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {f"daily/{i}.csv": csv_bytes(50) for i in range(20)})
    source_id = await tenant.add_s3_source(seaweed, bucket)

    ids = await asyncio.gather(puller.pull(source_id), puller.pull(source_id))

    syncs = [await tenant.sync(i) for i in ids]
    statuses = sorted(s.status for s in syncs)
    # The second one starts once the first is running (cancelled) or, if the first was
    # already done by then, runs and finds nothing new.
    assert statuses in (["cancelled", "succeeded"], ["succeeded", "succeeded"])
    for sync in syncs:
        if sync.status == "cancelled":
            assert "Another pull of this source is running" in (sync.error or "")
    assert len(await tenant.uploads(source_id)) == 20  # never twice, either way


async def test_a_running_sync_whose_owner_went_silent_is_interrupted(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/a.csv": csv_bytes(1)})
    source_id = await tenant.add_s3_source(seaweed, bucket)
    stale = await _queued(tenant, source_id)
    long_ago = utcnow() - timedelta(hours=1)
    async with tenant.deps.database() as db:
        row = await db.get(Sync, stale)
        assert row is not None
        row.status, row.started_at = "running", long_ago
        row.checkpoint = {
            "owner": {"host": "another-machine", "pid": 1, "boot": "x"},
            "heartbeatAt": long_ago.isoformat(),
        }
        await db.commit()

    fresh = await tenant.sync(await puller.pull(source_id))

    old = await tenant.sync(stale)
    assert (old.status, old.error) == ("failed", INTERRUPTED)
    assert old.finished_at is not None
    assert fresh.status == "succeeded"


async def test_a_running_sync_with_a_fresh_heartbeat_elsewhere_is_left_alone(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, bucket: str
) -> None:
    source_id = await tenant.add_s3_source(seaweed, bucket)
    other = await _queued(tenant, source_id)
    async with tenant.deps.database() as db:
        row = await db.get(Sync, other)
        assert row is not None
        row.status, row.started_at = "running", utcnow()
        row.checkpoint = {
            "owner": {"host": "another-machine", "pid": 1, "boot": "x"},
            "heartbeatAt": utcnow().isoformat(),
        }
        await db.commit()

    refused = await tenant.sync(await puller.pull(source_id))

    assert refused.status == "cancelled"
    assert other in (refused.error or "")
    assert (await tenant.sync(other)).status == "running"


async def test_a_pull_stopped_by_shutdown_is_cancelled_with_what_it_registered(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/a.csv": csv_bytes(3), "daily/b.csv": csv_bytes(2)})
    source_id = await tenant.add_s3_source(seaweed, bucket)
    await puller.pull(source_id)
    # A running sync that had registered these uploads when the service stopped; record
    # counts as a database extract has them (a file passed through has none).
    running = await _queued(tenant, source_id)
    async with tenant.deps.database() as db:
        row = await db.get(Sync, running)
        assert row is not None
        row.status = "running"
        for upload, records in zip(await tenant.uploads(source_id), (3, 2), strict=True):
            upload.sync_id, upload.records = running, records
            await db.merge(upload)
        await db.commit()
    uploads = await tenant.uploads(source_id)

    await ledger.cancel(tenant.deps.database, running)

    sync = await tenant.sync(running)
    assert sync.status == "cancelled"
    assert sync.bytes == sum(u.size for u in uploads) > 0
    assert sync.records == sum(u.records or 0 for u in uploads) == 5
    assert len(sync.manifest) == 2
