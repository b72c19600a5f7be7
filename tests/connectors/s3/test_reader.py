"""The lean S3 reader pulls use: listing and GETs with plain signed requests (SeaweedFS)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from mypy_boto3_s3 import S3Client

from connectors.base import ConnectorContext
from connectors.errors import (
    AuthError,
    ConnectionFailedError,
    ConnectorError,
    ResourceNotFoundError,
)
from connectors.results import FailureClass
from connectors.s3 import S3Config, S3Secrets
from connectors.s3.client import Unavailable
from connectors.s3.reader import BucketReader
from tests.conftest import LOOPBACK
from tests.support.seaweedfs import S3Identity, SeaweedS3

CONTEXT = ConnectorContext(network=LOOPBACK, timeout=5.0)


def _reader(
    seaweed: SeaweedS3,
    bucket: str,
    *,
    prefix: str = "in/",
    identity: S3Identity | None = None,
    endpoint: str | None = None,
) -> BucketReader:
    key = identity or seaweed.reader
    config = S3Config(
        bucket=bucket, prefix=prefix, endpoint_url=endpoint or seaweed.endpoint_url, format="CSV"
    )
    return BucketReader(config, S3Secrets.model_validate(key.secrets()), CONTEXT, 4)


def _read(reader: BucketReader, file: object) -> bytes:
    response = reader.open(file)  # type: ignore[arg-type]
    assert not isinstance(response, Unavailable)
    buffer = bytearray(1 << 16)
    data = b""
    while count := reader.read_into(response, "k", buffer):
        data += bytes(buffer[:count])
    response.release_conn()
    return data


async def test_keys_with_unusual_characters_are_listed_and_read(
    seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    keys = ["in/a b.csv", "in/plus+sign.csv", "in/été/ünï.csv", "in/q?x=1&y.csv", "in/~tilde.csv"]
    for key in keys:
        s3_admin.put_object(Bucket=bucket, Key=key, Body=key.encode())
    reader = _reader(seaweed, bucket)

    files = await asyncio.to_thread(lambda: list(reader.list_files()))

    assert sorted(f.key for f in files) == sorted(keys)
    for file in files:
        assert await asyncio.to_thread(_read, reader, file) == file.key.encode()


async def test_listings_page_past_a_thousand_keys_and_skip_other_files(
    seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    def put(i: int) -> None:
        s3_admin.put_object(Bucket=bucket, Key=f"in/{i:04d}.csv", Body=b"x")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(1005)))
    s3_admin.put_object(Bucket=bucket, Key="in/folder/", Body=b"")
    s3_admin.put_object(Bucket=bucket, Key="in/notes.txt", Body=b"x")
    s3_admin.put_object(Bucket=bucket, Key="elsewhere/0.csv", Body=b"x")
    reader = _reader(seaweed, bucket)

    files = await asyncio.to_thread(lambda: list(reader.list_files()))

    assert len(files) == 1005
    assert files[0].size == 1
    assert files[0].last_modified.tzinfo is not None
    assert files[0].etag == s3_admin.head_object(Bucket=bucket, Key=files[0].key)["ETag"].strip('"')


async def test_an_object_deleted_or_rewritten_after_the_listing_is_unavailable(
    seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    s3_admin.put_object(Bucket=bucket, Key="in/gone.csv", Body=b"1")
    s3_admin.put_object(Bucket=bucket, Key="in/new.csv", Body=b"1")
    reader = _reader(seaweed, bucket)
    listed = {f.key: f for f in await asyncio.to_thread(lambda: list(reader.list_files()))}
    s3_admin.delete_object(Bucket=bucket, Key="in/gone.csv")
    s3_admin.put_object(Bucket=bucket, Key="in/new.csv", Body=b"2, and longer")

    gone = await asyncio.to_thread(reader.open, listed["in/gone.csv"])
    rewritten = await asyncio.to_thread(reader.open, listed["in/new.csv"])

    assert gone is Unavailable.DELETED
    assert rewritten is Unavailable.REWRITTEN


@pytest.mark.parametrize(
    ("case", "failure", "error"),
    [
        ("wrong-secret", FailureClass.AUTH_FAILED, AuthError),
        ("unknown-key", FailureClass.AUTH_FAILED, AuthError),
        ("no-bucket", FailureClass.NOT_FOUND, ResourceNotFoundError),
        ("nobody-listens", FailureClass.UNREACHABLE, ConnectionFailedError),
    ],
)
async def test_failures_are_classified_like_the_connectors(
    seaweed: SeaweedS3, bucket: str, case: str, failure: FailureClass, error: type[Exception]
) -> None:
    identity = {"wrong-secret": seaweed.wrong_secret, "unknown-key": seaweed.unknown}.get(case)
    endpoint = "http://127.0.0.1:9" if case == "nobody-listens" else None
    name = "no-such-bucket-here" if case == "no-bucket" else bucket
    reader = _reader(seaweed, name, identity=identity, endpoint=endpoint)

    with pytest.raises(error) as raised:
        await asyncio.to_thread(lambda: list(reader.list_files()))

    assert isinstance(raised.value, ConnectorError)
    assert raised.value.failure is failure
    assert seaweed.wrong_secret.secret_access_key not in str(raised.value)
