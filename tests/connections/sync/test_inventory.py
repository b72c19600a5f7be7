"""The inventory store: a local folder and an S3 bucket (the real SeaweedFS server)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from mypy_boto3_s3 import S3Client
from pydantic import SecretStr

from connections.inventory import (
    InventoryLocationError,
    InventoryMissingError,
    InventoryStore,
    LocalInventoryStore,
    S3InventoryConfig,
    S3InventoryStore,
    open_inventory_store,
    safe_name,
    safe_segment,
)
from tests.support.seaweedfs import SeaweedS3


@pytest.fixture(params=["local", "s3"])
async def any_store(
    request: pytest.FixtureRequest, tmp_path: Path, seaweed: SeaweedS3, bucket: str
) -> InventoryStore:
    """Each kind of store in turn."""
    if request.param == "local":
        return LocalInventoryStore(tmp_path / "inventory")
    config = S3InventoryConfig(
        bucket=bucket,
        prefix="inventory",
        endpoint_url=seaweed.endpoint_url,
        access_key_id=seaweed.admin.access_key_id,
        secret_access_key=SecretStr(seaweed.admin.secret_access_key),
    )
    return S3InventoryStore(config, scratch_dir=tmp_path / "scratch")


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


async def test_a_put_file_reads_back_the_same_bytes(
    any_store: InventoryStore, tmp_path: Path
) -> None:
    src = _file(tmp_path, "in.csv", b"sku,qty\nA,1\n")

    location = await any_store.put_file("tenant-a", "inv_1", "booking.csv", src)

    assert location == any_store.location_of("tenant-a", "inv_1", "booking.csv")
    async with any_store.open(location) as path:
        assert path.read_bytes() == b"sku,qty\nA,1\n"
    assert src.exists()  # left in place for the caller
    await any_store.aclose()


async def test_putting_the_same_upload_again_overwrites(
    any_store: InventoryStore, tmp_path: Path
) -> None:
    await any_store.put_file("t", "inv_2", "a.csv", _file(tmp_path, "1", b"first"))

    location = await any_store.put_file("t", "inv_2", "a.csv", _file(tmp_path, "2", b"second"))

    async with any_store.open(location) as path:
        assert path.read_bytes() == b"second"
    await any_store.aclose()


async def test_a_deleted_file_is_missing_and_deleting_twice_is_fine(
    any_store: InventoryStore, tmp_path: Path
) -> None:
    location = await any_store.put_file("t", "inv_3", "a.csv", _file(tmp_path, "x", b"x"))

    await any_store.delete(location)
    await any_store.delete(location)

    with pytest.raises(InventoryMissingError):
        async with any_store.open(location):
            pass
    await any_store.aclose()


async def test_a_location_outside_the_store_is_refused(
    any_store: InventoryStore, tmp_path: Path
) -> None:
    outside = "s3://elsewhere/x.csv" if isinstance(any_store, S3InventoryStore) else "/etc/passwd"

    with pytest.raises(InventoryLocationError):
        async with any_store.open(outside):
            pass
    with pytest.raises(InventoryLocationError):
        await any_store.delete(outside)
    await any_store.aclose()


async def test_tenant_ids_and_names_cannot_climb_out_of_the_store(tmp_path: Path) -> None:
    store = LocalInventoryStore(tmp_path / "inventory")

    location = await store.put_file(
        "../../evil", "../inv", "../../x.csv", _file(tmp_path, "f", b"1")
    )

    resolved = await asyncio.to_thread(Path(location).resolve)
    assert resolved.is_relative_to(store.root)
    assert ".." not in Path(location).relative_to(store.root).parts


def test_safe_names_keep_plain_ones_and_extensions() -> None:
    assert safe_segment("tenant-a_1.x") == "tenant-a_1.x"
    assert safe_segment("a/b") != safe_segment("a_b")  # no collisions by cleaning
    assert safe_name("daily/2026-05-25/booking.csv") == "booking.csv"
    assert safe_name("Prix été.CSV").endswith(".csv")
    assert safe_name("..") not in {"..", "."}


async def test_the_local_store_links_instead_of_copying(tmp_path: Path) -> None:
    store = LocalInventoryStore(tmp_path / "inventory")
    src = _file(tmp_path, "big.csv", b"x" * 4096)

    location = await store.put_file("t", "inv_4", "big.csv", src)

    stored, original = await asyncio.gather(
        asyncio.to_thread(Path(location).stat), asyncio.to_thread(src.stat)
    )
    assert stored.st_ino == original.st_ino


def test_settings_choose_the_store(tmp_path: Path, seaweed: SeaweedS3) -> None:
    local = open_inventory_store(data_dir=tmp_path)
    remote = open_inventory_store(
        data_dir=tmp_path,
        url="s3://inventory-bucket/prefix",
        endpoint_url=seaweed.endpoint_url,
        access_key_id="AKIA",
        secret_access_key=SecretStr("s" * 20),
    )

    assert isinstance(local, LocalInventoryStore)
    assert local.root == (tmp_path / "inventory").resolve()
    assert isinstance(remote, S3InventoryStore)
    assert remote.location_of("t", "inv_5", "a.csv") == "s3://inventory-bucket/prefix/t/inv_5/a.csv"
    with pytest.raises(ValueError, match="s3://"):
        open_inventory_store(data_dir=tmp_path, url="https://example.com/x")


async def test_the_s3_store_writes_under_its_prefix(
    tmp_path: Path, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    store = S3InventoryStore(
        S3InventoryConfig(
            bucket=bucket,
            prefix="inv",
            endpoint_url=seaweed.endpoint_url,
            access_key_id=seaweed.admin.access_key_id,
            secret_access_key=SecretStr(seaweed.admin.secret_access_key),
        )
    )

    await store.put_file("t", "inv_6", "a.csv", _file(tmp_path, "a", b"abc"))

    keys = [o["Key"] for o in s3_admin.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["inv/t/inv_6/a.csv"]
    await store.aclose()
