"""Pulling an S3 prefix into the inventory, against the real SeaweedFS server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from mypy_boto3_s3 import S3Client
from pydantic import SecretStr
from sqlalchemy import select, update

from connections.db.models import DataSource, SeenObject
from connections.db.types import utcnow
from connections.inventory import LocalInventoryStore, S3InventoryConfig, S3InventoryStore
from connections.sync import PullEngine, PullSettings
from tests.connections.sync.support import Tenant, csv_bytes, put_objects
from tests.connectors.s3.faults import breaking_proxy
from tests.support.seaweedfs import SeaweedS3

MANIFEST_KEYS = {"key", "size", "status", "inventoryId", "etag"}


async def test_the_first_pull_takes_every_object(
    puller: PullEngine,
    tenant: Tenant,
    seaweed: SeaweedS3,
    s3_admin: S3Client,
    bucket: str,
    store: LocalInventoryStore,
    announced: list[str],
) -> None:
    files = {f"daily/2026-05-2{i}/booking.csv": csv_bytes(3, tag=str(i)) for i in range(3)}
    put_objects(s3_admin, bucket, files)
    source_id = await tenant.add_s3_source(seaweed, bucket)

    sync_id = await puller.pull(source_id)

    sync = await tenant.sync(sync_id)
    uploads = await tenant.uploads(source_id)
    assert sync.status == "succeeded"
    assert sorted(u.key for u in uploads) == sorted(files)
    assert sync.bytes == sum(len(b) for b in files.values())
    for upload in uploads:
        async with store.open(upload.location) as path:
            assert path.read_bytes() == files[upload.key]
    assert sorted(announced) == sorted(u.id for u in uploads)
    assert (await tenant.source(source_id)).last_synced_at is not None


async def test_the_manifest_has_seed_001s_shape(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/2026-05-25/booking.csv": csv_bytes(5)})
    source_id = await tenant.add_s3_source(seaweed, bucket)

    sync = await tenant.sync(await puller.pull(source_id))

    [item] = sync.manifest
    assert set(item) == MANIFEST_KEYS
    assert item["key"] == "daily/2026-05-25/booking.csv"
    assert item["size"] == len(csv_bytes(5))
    assert item["status"] == "uploaded"
    assert item["inventoryId"].startswith("inv_")
    assert item["etag"] == s3_admin.head_object(Bucket=bucket, Key=item["key"])["ETag"].strip('"')


async def test_a_second_pull_takes_nothing(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {f"daily/f{i}.csv": csv_bytes(2) for i in range(4)})
    source_id = await tenant.add_s3_source(seaweed, bucket)
    await puller.pull(source_id)

    second = await tenant.sync(await puller.pull(source_id))

    assert second.status == "succeeded"
    assert second.manifest == []
    assert len(await tenant.uploads(source_id)) == 4


async def test_a_new_object_and_a_rewritten_one_are_taken(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/a.csv": csv_bytes(2), "daily/b.csv": csv_bytes(2)})
    source_id = await tenant.add_s3_source(seaweed, bucket)
    await puller.pull(source_id)
    put_objects(
        s3_admin, bucket, {"daily/b.csv": csv_bytes(3, tag="v2"), "daily/c.csv": csv_bytes(1)}
    )

    sync = await tenant.sync(await puller.pull(source_id))

    assert sorted((e["key"], e["status"]) for e in sync.manifest) == [
        ("daily/b.csv", "uploaded"),
        ("daily/c.csv", "uploaded"),
    ]
    versions = [(u.key, u.size) for u in await tenant.uploads(source_id)]
    assert sorted(versions) == sorted(
        [
            ("daily/a.csv", len(csv_bytes(2))),
            ("daily/b.csv", len(csv_bytes(2))),
            ("daily/b.csv", len(csv_bytes(3, tag="v2"))),
            ("daily/c.csv", len(csv_bytes(1))),
        ]
    )


async def _move_cursor(tenant: Tenant, source_id: str, by: timedelta) -> None:
    """Pretend the last pull listed objects ``by`` newer than those in the bucket."""
    source = await tenant.source(source_id)
    since = source.state["lastModified"]
    async with tenant.deps.database() as db:
        moved = (utcnow().fromisoformat(since) + by).isoformat()
        await db.execute(
            update(DataSource)
            .where(DataSource.id == source_id)
            .values(state={**source.state, "lastModified": moved})
        )
        await db.commit()


async def test_an_object_visible_late_is_taken_once(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/early.csv": csv_bytes(1)})
    source_id = await tenant.add_s3_source(seaweed, bucket)
    await puller.pull(source_id)
    put_objects(s3_admin, bucket, {"daily/late.csv": csv_bytes(2)})
    # The cursor is now ahead of late.csv's LastModified, as when an object shows up after
    # newer ones were listed; a plain "newer than the cursor" filter would skip it.
    await _move_cursor(tenant, source_id, timedelta(hours=1))

    taken = await tenant.sync(await puller.pull(source_id))
    again = await tenant.sync(await puller.pull(source_id))

    assert [e["key"] for e in taken.manifest] == ["daily/late.csv"]
    assert again.manifest == []
    assert sorted(u.key for u in await tenant.uploads(source_id)) == [
        "daily/early.csv",
        "daily/late.csv",
    ]


async def test_objects_older_than_the_window_are_passed_over_and_forgotten(
    puller: PullEngine,
    tenant: Tenant,
    seaweed: SeaweedS3,
    s3_admin: S3Client,
    bucket: str,
    settings: PullSettings,
) -> None:
    put_objects(s3_admin, bucket, {"daily/old.csv": csv_bytes(1)})
    source_id = await tenant.add_s3_source(seaweed, bucket)
    await puller.pull(source_id)
    assert await tenant.seen_keys(source_id) == {"daily/old.csv"}
    put_objects(s3_admin, bucket, {"daily/too-late.csv": csv_bytes(1)})
    # A whole window and more has passed since these objects were written.
    await _move_cursor(tenant, source_id, settings.lookback + timedelta(hours=1))

    sync = await tenant.sync(await puller.pull(source_id))

    assert sync.manifest == []
    assert await tenant.seen_keys(source_id) == set()  # pruned: beyond the window


async def test_a_shorter_window_is_configurable(
    deps: Any,
    store: LocalInventoryStore,
    tmp_path: Path,
    tenant: Tenant,
    seaweed: SeaweedS3,
    s3_admin: S3Client,
    bucket: str,
) -> None:
    puller = PullEngine(
        deps,
        store,
        settings=PullSettings(lookback=timedelta(minutes=5), scratch_dir=tmp_path / "s"),
    )
    put_objects(s3_admin, bucket, {"daily/a.csv": csv_bytes(1)})
    source_id = await tenant.add_s3_source(seaweed, bucket)
    await puller.pull(source_id)
    put_objects(s3_admin, bucket, {"daily/b.csv": csv_bytes(1)})
    await _move_cursor(tenant, source_id, timedelta(minutes=10))

    sync = await tenant.sync(await puller.pull(source_id))

    assert sync.manifest == []


async def test_only_selected_streams_are_pulled(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(
        s3_admin,
        bucket,
        {"daily/booking_2026-05-25.csv": csv_bytes(1), "daily/expedia_2026-05-25.csv": b"a\n1\n"},
    )
    source_id = await tenant.add_s3_source(seaweed, bucket, streams=["booking"])

    sync = await tenant.sync(await puller.pull(source_id))

    assert [e["key"] for e in sync.manifest] == ["daily/booking_2026-05-25.csv"]


async def test_a_broken_download_fails_its_object_and_the_others_arrive(
    deps: Any,
    store: LocalInventoryStore,
    tmp_path: Path,
    tenant: Tenant,
    seaweed: SeaweedS3,
    s3_admin: S3Client,
    bucket: str,
) -> None:
    puller = PullEngine(
        deps, store, settings=PullSettings(concurrency=1, scratch_dir=tmp_path / "s")
    )
    big = b"x" * (2 << 20)
    put_objects(
        s3_admin,
        bucket,
        {
            "daily/small-1.csv": csv_bytes(2),
            "daily/big.csv": big,
            "daily/small-2.csv": csv_bytes(3),
        },
    )
    # Each connection passes 256 KB of answers and is then cut off: the big body breaks.
    async with breaking_proxy(seaweed.endpoint_url, budget=256 << 10, fault="close") as proxy:
        source_id = await tenant.add_s3_source(seaweed, bucket, endpoint_url=proxy)
        sync = await tenant.sync(await puller.pull(source_id))

    statuses = {e["key"]: e["status"] for e in sync.manifest}
    assert sync.status == "partial"
    assert statuses == {
        "daily/small-1.csv": "uploaded",
        "daily/big.csv": "failed",
        "daily/small-2.csv": "uploaded",
    }
    failed = next(e for e in sync.manifest if e["status"] == "failed")
    assert set(failed) == MANIFEST_KEYS | {"error"}
    assert failed["inventoryId"] is None
    assert "1 of 3" in (sync.error or "")
    # Not remembered as seen: the next pull tries it again.
    assert "daily/big.csv" not in await tenant.seen_keys(source_id)


async def test_a_failed_object_is_taken_by_the_next_pull(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/a.csv": csv_bytes(1), "daily/big.csv": b"y" * (1 << 20)})
    async with breaking_proxy(seaweed.endpoint_url, budget=128 << 10, fault="close") as proxy:
        source_id = await tenant.add_s3_source(seaweed, bucket, endpoint_url=proxy)
        await puller.pull(source_id)
    async with tenant.deps.database() as db:
        config = dict((await db.get(DataSource, source_id)).config)  # type: ignore[union-attr]
        config["endpoint_url"] = seaweed.endpoint_url
        await db.execute(update(DataSource).where(DataSource.id == source_id).values(config=config))
        await db.commit()

    sync = await tenant.sync(await puller.pull(source_id))

    assert [(e["key"], e["status"]) for e in sync.manifest] == [("daily/big.csv", "uploaded")]


async def test_a_listing_that_fails_fails_the_sync(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/a.csv": csv_bytes(1)})
    source_id = await tenant.add_s3_source(seaweed, bucket, identity=seaweed.wrong_secret)

    sync = await tenant.sync(await puller.pull(source_id))

    assert sync.status == "failed"
    assert "secret access key" in (sync.error or "")
    assert (await tenant.source(source_id)).consecutive_failures == 1
    assert (await tenant.source(source_id)).last_synced_at is None


async def test_seen_objects_are_written_with_their_uploads(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/a.csv": csv_bytes(1), "daily/b.csv": csv_bytes(2)})
    source_id = await tenant.add_s3_source(seaweed, bucket)

    await puller.pull(source_id)

    async with tenant.deps.database() as db:
        rows = (await db.scalars(select(SeenObject).where(SeenObject.source_id == source_id))).all()
    uploads = {(u.key, u.etag) for u in await tenant.uploads(source_id)}
    assert {(r.key, r.etag) for r in rows} == uploads
    assert all(r.last_modified is not None for r in rows)


async def test_a_pull_can_keep_its_inventory_in_an_s3_bucket(
    deps: Any,
    tmp_path: Path,
    tenant: Tenant,
    seaweed: SeaweedS3,
    s3_admin: S3Client,
    bucket: str,
) -> None:
    inventory_bucket = f"inv-{bucket}"[:63]
    s3_admin.create_bucket(Bucket=inventory_bucket)
    store = S3InventoryStore(
        S3InventoryConfig(
            bucket=inventory_bucket,
            prefix="inventory",
            endpoint_url=seaweed.endpoint_url,
            access_key_id=seaweed.admin.access_key_id,
            secret_access_key=SecretStr(seaweed.admin.secret_access_key),
        ),
        scratch_dir=tmp_path / "open",
    )
    puller = PullEngine(deps, store, settings=PullSettings(scratch_dir=tmp_path / "s"))
    files = {f"daily/{i}.csv": csv_bytes(3, tag=str(i)) for i in range(5)}
    put_objects(s3_admin, bucket, files)
    source_id = await tenant.add_s3_source(seaweed, bucket)

    sync = await tenant.sync(await puller.pull(source_id))

    uploads = await tenant.uploads(source_id)
    assert sync.status == "succeeded"
    assert len(uploads) == 5
    for upload in uploads:
        assert upload.location.startswith(f"s3://{inventory_bucket}/inventory/")
        async with store.open(upload.location) as path:
            assert path.read_bytes() == files[upload.key]
    stored = s3_admin.list_objects_v2(Bucket=inventory_bucket)["KeyCount"]
    assert stored == 5
    await store.aclose()
