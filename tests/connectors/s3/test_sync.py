"""S3 ``discover``, ``read`` and ``write`` against the real SeaweedFS server."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import pytest
from mypy_boto3_s3 import S3Client

from connectors.base import Delivery, ReadMessage
from connectors.errors import AuthError, NotFoundError
from connectors.results import FailureClass, RecordMessage, StateMessage
from connectors.s3 import S3Connector
from connectors.spec import DataFormat
from tests.support.seaweedfs import SeaweedS3


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def _collect(stream: Any) -> list[ReadMessage]:
    return [message async for message in stream]


async def test_discover_groups_daily_files_into_streams_with_typed_columns(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    for day in ("2026-05-24", "2026-05-25"):
        s3_admin.put_object(
            Bucket=bucket,
            Key=f"daily/{day}/booking.csv",
            Body=_csv([{"id": 1, "price": "9.5", "paid": "true", "at": f"{day}T10:00:00Z"}]),
        )
        s3_admin.put_object(
            Bucket=bucket, Key=f"daily/expedia_{day}.csv", Body=_csv([{"hotel": "A", "n": 3}])
        )

    catalog = await s3.discover(s3_config, seaweed.reader.secrets())

    assert [s.name for s in catalog.streams] == ["booking", "expedia"]
    booking = catalog.stream("booking")
    assert booking.file_count == 2
    assert {c.name: c.type for c in booking.columns} == {
        "id": "integer",
        "price": "number",
        "paid": "boolean",
        "at": "timestamp",
    }
    assert booking.size_bytes == sum(
        len(o["Body"].read())
        for o in (
            s3_admin.get_object(Bucket=bucket, Key=f"daily/{d}/booking.csv")
            for d in ("2026-05-24", "2026-05-25")
        )
    )


async def test_discover_pages_past_a_thousand_keys(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    body = _csv([{"id": 1}])

    def put(i: int) -> None:
        s3_admin.put_object(Bucket=bucket, Key=f"daily/part-{i:05d}.csv", Body=body)

    await asyncio.gather(*(asyncio.to_thread(put, i) for i in range(1005)))

    catalog = await s3.discover(s3_config, seaweed.reader.secrets())

    assert catalog.stream("part").file_count == 1005


async def test_read_yields_records_then_resumes_without_duplicates(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-1.csv", Body=_csv([{"id": 1}, {"id": 2}]))
    secrets = seaweed.reader.secrets()

    first = await _collect(s3.read(s3_config, secrets, ["orders"]))
    state = [m for m in first if isinstance(m, StateMessage)][-1].state
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-2.csv", Body=_csv([{"id": 3}]))
    second = await _collect(s3.read(s3_config, secrets, ["orders"], state))

    assert [m.data for m in first if isinstance(m, RecordMessage)] == [{"id": "1"}, {"id": "2"}]
    assert [m.data for m in second if isinstance(m, RecordMessage)] == [{"id": "3"}]


async def test_read_rereads_an_object_whose_content_changed(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    s3_admin.put_object(Bucket=bucket, Key="daily/orders.csv", Body=_csv([{"id": 1}]))
    secrets = seaweed.reader.secrets()
    first = await _collect(s3.read(s3_config, secrets, ["orders"]))
    state = [m for m in first if isinstance(m, StateMessage)][-1].state

    s3_admin.put_object(Bucket=bucket, Key="daily/orders.csv", Body=_csv([{"id": 1}, {"id": 9}]))
    second = await _collect(s3.read(s3_config, secrets, ["orders"], state))

    assert [m.data["id"] for m in second if isinstance(m, RecordMessage)] == ["1", "9"]


async def test_read_checkpoints_after_each_file(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    for i in range(3):
        s3_admin.put_object(Bucket=bucket, Key=f"daily/orders-{i}.csv", Body=_csv([{"id": i}]))

    messages = await _collect(s3.read(s3_config, seaweed.reader.secrets(), ["orders"]))

    kinds = [m.kind for m in messages]
    assert kinds == ["record", "state"] * 3


async def test_stopping_a_read_early_stops_the_download(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    rows = [{"id": i, "payload": "x" * 100} for i in range(50_000)]
    s3_admin.put_object(Bucket=s3_config["bucket"], Key="daily/big.csv", Body=_csv(rows))

    stream = s3.read(s3_config, seaweed.reader.secrets(), ["big"])
    first = await anext(aiter(stream))
    await stream.aclose()  # type: ignore[attr-defined]

    assert isinstance(first, RecordMessage)
    assert first.data["id"] == "0"


async def test_read_with_bad_key_raises_classified_error(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    with pytest.raises(AuthError) as caught:
        await _collect(s3.read(s3_config, seaweed.unknown.secrets(), ["orders"]))

    assert caught.value.failure is FailureClass.AUTH_FAILED


async def test_write_puts_job_file_under_the_prefix(
    s3: S3Connector,
    s3_config: dict[str, Any],
    s3_admin: S3Client,
    seaweed: SeaweedS3,
    tmp_path: Path,
) -> None:
    result_file = tmp_path / "result.ndjson"
    result_file.write_bytes(b'{"id": 1}\n{"id": 2}\n')
    delivery = Delivery(
        job_id="job_01", path=result_file, format=DataFormat.NDJSON, delivery_id="dlv_1"
    )

    result = await s3.write({**s3_config, "prefix": "results"}, seaweed.writer.secrets(), delivery)

    assert result.location == f"s3://{s3_config['bucket']}/results/job-job_01.ndjson"
    assert result.bytes_written == result_file.stat().st_size
    stored = s3_admin.get_object(Bucket=s3_config["bucket"], Key="results/job-job_01.ndjson")
    assert stored["Body"].read() == result_file.read_bytes()


async def test_write_with_read_only_key_is_permission_denied(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3, tmp_path: Path
) -> None:
    result_file = tmp_path / "result.csv"
    result_file.write_bytes(b"id\n1\n")
    delivery = Delivery(job_id="job_02", path=result_file, format=DataFormat.CSV, delivery_id="d")

    with pytest.raises(AuthError) as caught:
        await s3.write(s3_config, seaweed.reader.secrets(), delivery)

    assert caught.value.failure is FailureClass.PERMISSION_DENIED


async def test_discover_of_missing_bucket_is_not_found(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    with pytest.raises(NotFoundError):
        await s3.discover({**s3_config, "bucket": "missing-bucket"}, seaweed.admin.secrets())
