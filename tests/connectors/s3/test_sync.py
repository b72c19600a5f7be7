"""S3 ``discover``, ``read`` and ``write`` against the real SeaweedFS server."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
from pathlib import Path
from typing import Any

import pytest
from mypy_boto3_s3 import S3Client

from connectors.base import ConnectorContext, Delivery, ReadMessage
from connectors.errors import AuthError, ConnectionFailedError, ResourceNotFoundError
from connectors.results import FailureClass, RecordMessage, StateMessage
from connectors.s3 import S3Connector
from connectors.spec import DataFormat
from tests.conftest import LOOPBACK
from tests.connectors.s3.faults import Fault, breaking_proxy
from tests.support.seaweedfs import SeaweedS3


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _put_orders(s3_admin: S3Client, bucket: str, count: int) -> None:
    """``daily/orders-0.csv`` ... with one record each."""
    for i in range(count):
        s3_admin.put_object(Bucket=bucket, Key=f"daily/orders-{i}.csv", Body=_csv([{"id": i}]))


async def _collect(stream: Any) -> list[ReadMessage]:
    return [message async for message in stream]


def _records(messages: list[ReadMessage]) -> list[dict[str, Any]]:
    return [m.data for m in messages if isinstance(m, RecordMessage)]


def _last_state(messages: list[ReadMessage]) -> dict[str, Any]:
    return next(m.state for m in reversed(messages) if isinstance(m, StateMessage))


def _reader_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("ia-read-")}


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


async def test_discover_survives_an_unreadable_sample_file(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-1.csv", Body=_csv([{"id": 1}]))
    s3_admin.put_object(Bucket=bucket, Key="daily/broken-1.csv", Body=b"\xff\xfe\x00 not text")

    catalog = await s3.discover(s3_config, seaweed.reader.secrets())

    assert [c.name for c in catalog.stream("orders").columns] == ["id"]
    broken = catalog.stream("broken")
    assert broken.columns == ()
    assert broken.file_count == 1
    assert "daily/broken-1.csv could not be read as CSV" in (broken.description or "")


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


async def test_a_short_read_checkpoints_once_at_the_end(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    _put_orders(s3_admin, s3_config["bucket"], 3)

    messages = await _collect(s3.read(s3_config, seaweed.reader.secrets(), ["orders"]))

    assert [m.kind for m in messages] == ["record", "record", "record", "state"]


async def test_read_checkpoints_every_n_files_and_at_the_end(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    _put_orders(s3_admin, s3_config["bucket"], 5)
    s3.checkpoint_files = 2
    s3.checkpoint_seconds = 3600

    messages = await _collect(s3.read(s3_config, seaweed.reader.secrets(), ["orders"]))

    kinds = [m.kind for m in messages]
    assert kinds == ["record", "record", "state", "record", "record", "state", "record", "state"]


async def test_a_read_ending_on_a_checkpoint_does_not_repeat_it(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    _put_orders(s3_admin, s3_config["bucket"], 4)
    s3.checkpoint_files = 2
    s3.checkpoint_seconds = 3600

    messages = await _collect(s3.read(s3_config, seaweed.reader.secrets(), ["orders"]))

    assert [m.kind for m in messages] == ["record", "record", "state", "record", "record", "state"]


async def test_resuming_from_a_middle_checkpoint_reads_only_the_files_after_it(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    _put_orders(s3_admin, s3_config["bucket"], 5)
    s3.checkpoint_files = 2
    s3.checkpoint_seconds = 3600
    secrets = seaweed.reader.secrets()
    first = await _collect(s3.read(s3_config, secrets, ["orders"]))
    middle = next(m.state for m in first if isinstance(m, StateMessage))

    resumed = await _collect(s3.read(s3_config, secrets, ["orders"], middle))

    assert _records(resumed) == [{"id": "2"}, {"id": "3"}, {"id": "4"}]


async def test_a_stream_selected_later_still_gets_its_older_files(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-1.csv", Body=_csv([{"id": 1}]))
    s3_admin.put_object(Bucket=bucket, Key="daily/refunds-1.csv", Body=_csv([{"ref": 7}]))
    secrets = seaweed.reader.secrets()
    first = await _collect(s3.read(s3_config, secrets, ["orders"]))

    later = await _collect(s3.read(s3_config, secrets, ["orders", "refunds"], _last_state(first)))

    assert _records(first) == [{"id": "1"}]
    assert [(m.stream, m.data) for m in later if isinstance(m, RecordMessage)] == [
        ("refunds", {"ref": "7"})
    ]


async def test_a_read_keeps_the_state_of_streams_it_was_not_asked_for(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-1.csv", Body=_csv([{"id": 1}]))
    s3_admin.put_object(Bucket=bucket, Key="daily/refunds-1.csv", Body=_csv([{"ref": 7}]))
    secrets = seaweed.reader.secrets()
    both = await _collect(s3.read(s3_config, secrets, ["orders", "refunds"]))
    s3_admin.put_object(Bucket=bucket, Key="daily/refunds-2.csv", Body=_csv([{"ref": 8}]))

    orders_only = await _collect(s3.read(s3_config, secrets, ["orders"], _last_state(both)))
    refunds = await _collect(s3.read(s3_config, secrets, ["refunds"], _last_state(orders_only)))

    assert _last_state(orders_only)["streams"]["refunds"] == _last_state(both)["streams"]["refunds"]
    assert _records(refunds) == [{"ref": "8"}]


async def test_an_unknown_stream_is_not_found_and_known_ones_are_named(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-1.csv", Body=_csv([{"id": 1}]))
    s3_admin.put_object(Bucket=bucket, Key="daily/refunds-1.csv", Body=_csv([{"ref": 7}]))

    with pytest.raises(ResourceNotFoundError) as caught:
        await _collect(s3.read(s3_config, seaweed.reader.secrets(), ["orders", "ordres"]))

    assert caught.value.failure is FailureClass.NOT_FOUND
    assert caught.value.field == "streams"
    assert "'ordres'" in caught.value.message
    assert "orders" in caught.value.message
    assert "refunds" in caught.value.message


async def test_a_stream_with_no_new_files_is_not_an_error(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    s3_admin.put_object(
        Bucket=s3_config["bucket"], Key="daily/orders-1.csv", Body=_csv([{"id": 1}])
    )
    secrets = seaweed.reader.secrets()
    first = await _collect(s3.read(s3_config, secrets, ["orders"]))

    again = await _collect(s3.read(s3_config, secrets, ["orders"], _last_state(first)))

    assert _records(again) == []
    assert _last_state(again) == _last_state(first)


async def test_a_stream_read_before_whose_files_were_deleted_is_not_unknown(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-1.csv", Body=_csv([{"id": 1}]))
    secrets = seaweed.reader.secrets()
    first = await _collect(s3.read(s3_config, secrets, ["orders"]))
    s3_admin.delete_object(Bucket=bucket, Key="daily/orders-1.csv")  # a lifecycle rule

    again = await _collect(s3.read(s3_config, secrets, ["orders"], _last_state(first)))

    assert _records(again) == []


def test_a_file_deleted_after_listing_is_skipped_and_passed(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-1.csv", Body=_csv([{"id": 1}]))
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-2.csv", Body=_csv([{"id": 2}]))
    config, secrets = s3.parse(s3_config, seaweed.reader.secrets())
    # The blocking generator behind ``read``: it lists, then reads one file at a time.
    messages = s3._read_sync(config, secrets, frozenset({"orders"}), {})

    first = next(messages)
    s3_admin.delete_object(Bucket=bucket, Key="daily/orders-2.csv")
    rest = list(messages)

    assert first == RecordMessage(stream="orders", data={"id": "1"})
    assert _records(rest) == []
    assert "daily/orders-2.csv" in _last_state(rest)["streams"]["orders"]["seen"]


async def test_a_file_rewritten_after_listing_is_skipped_and_read_next_time(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    bucket = s3_config["bucket"]
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-1.csv", Body=_csv([{"id": 1}]))
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-2.csv", Body=_csv([{"id": 2}]))
    config, secrets = s3.parse(s3_config, seaweed.reader.secrets())
    messages = s3._read_sync(config, secrets, frozenset({"orders"}), {})

    first = next(messages)
    s3_admin.put_object(Bucket=bucket, Key="daily/orders-2.csv", Body=_csv([{"id": 22}]))
    rest = list(messages)
    state = _last_state(rest)
    following = await _collect(s3.read(s3_config, seaweed.reader.secrets(), ["orders"], state))

    assert first == RecordMessage(stream="orders", data={"id": "1"})
    assert _records(rest) == []
    assert "daily/orders-2.csv" not in state["streams"]["orders"]["seen"]
    assert _records(following) == [{"id": "22"}]


@pytest.mark.parametrize(
    ("fault", "failure"),
    [("close", FailureClass.UNREACHABLE), ("stall", FailureClass.TIMEOUT)],
    ids=["connection-breaks-off", "connection-stalls"],
)
@pytest.mark.parametrize("operation", ["read", "discover"])
async def test_a_download_that_fails_midway_is_classified(
    s3_config: dict[str, Any],
    s3_admin: S3Client,
    seaweed: SeaweedS3,
    fault: Fault,
    failure: FailureClass,
    operation: str,
) -> None:
    rows = [{"id": i, "payload": "x" * 100} for i in range(20_000)]
    s3_admin.put_object(Bucket=s3_config["bucket"], Key="daily/big.csv", Body=_csv(rows))
    connector = S3Connector(ConnectorContext(network=LOOPBACK, timeout=0.5, sample_rows=20_000))
    secrets = seaweed.reader.secrets()

    async def attempt(config: dict[str, Any]) -> object:
        if operation == "read":
            return await _collect(connector.read(config, secrets, ["big"]))
        return await connector.discover(config, secrets)

    async with breaking_proxy(seaweed.endpoint_url, budget=64 * 1024, fault=fault) as proxy:
        with pytest.raises(ConnectionFailedError) as caught:
            await attempt({**s3_config, "endpoint_url": proxy})

    assert caught.value.failure is failure
    assert caught.value.field == "endpoint_url"
    assert proxy.removeprefix("http://") in caught.value.message


async def test_stopping_a_read_early_stops_the_download(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    rows = [{"id": i, "payload": "x" * 100} for i in range(50_000)]
    s3_admin.put_object(Bucket=s3_config["bucket"], Key="daily/big.csv", Body=_csv(rows))
    before = _reader_threads()

    stream = s3.read(s3_config, seaweed.reader.secrets(), ["big"])
    first = await anext(aiter(stream))
    producers = _reader_threads() - before
    await stream.aclose()  # type: ignore[attr-defined]

    assert isinstance(first, RecordMessage)
    assert first.data["id"] == "0"
    # The producer thread that was downloading has ended, having closed the body.
    assert len(producers) == 1
    assert not any(thread.is_alive() for thread in producers)


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
    with pytest.raises(ResourceNotFoundError):
        await s3.discover({**s3_config, "bucket": "missing-bucket"}, seaweed.admin.secrets())
