"""Webhook sources: ``discover`` in every format, and ``read`` resuming without duplicates."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any, cast

import pytest

from connectors.base import ReadMessage
from connectors.errors import ConnectorError, DataFormatError, ResourceNotFoundError
from connectors.results import FailureClass, RecordMessage, StateMessage
from connectors.spec import DataFormat
from connectors.webhook import WebhookConnector
from connectors.webhook.fetch import stream_name
from tests.connectors.webhook.conftest import AUTH_HEADER, Receiver, Reply, make_context
from tests.support.https import TestTLS

AUTH = {"auth_header": AUTH_HEADER}
RECORDS = [
    {"sku": "A-1", "qty": 3, "price": 9.5},
    {"sku": "B-2", "qty": 5, "price": 12.25},
    {"sku": "C-3", "qty": 0, "price": 1.0},
]


async def read_all(
    connector: WebhookConnector,
    config: dict[str, Any],
    state: dict[str, Any] | None = None,
    streams: tuple[str, ...] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Records and states a read yields."""
    records: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = []
    async for message in connector.read(config, AUTH, streams, state):
        if isinstance(message, RecordMessage):
            records.append(message.data)
        else:
            assert isinstance(message, StateMessage)
            states.append(message.state)
    return records, states


@pytest.mark.parametrize("fmt", list(DataFormat), ids=[f.value for f in DataFormat])
async def test_discover_infers_columns_in_every_format(
    connector: WebhookConnector, receiver: Receiver, fmt: DataFormat
) -> None:
    receiver.script("/exports/stock", Reply.data(fmt, RECORDS))

    catalog = await connector.discover(
        {"url": receiver.url("/exports/stock"), "format": fmt.value}, AUTH
    )

    (stream,) = catalog.streams
    assert stream.name == "stock"
    assert [c.name for c in stream.columns] == ["sku", "qty", "price"]
    assert stream.record_estimate == len(RECORDS)
    assert receiver.received("GET")[0].headers["authorization"] == AUTH_HEADER


async def test_discover_types_columns(connector: WebhookConnector, receiver: Receiver) -> None:
    receiver.script("/stock.json", Reply.data(DataFormat.JSON, RECORDS))

    catalog = await connector.discover({"url": receiver.url("/stock.json")}, AUTH)

    types = {c.name: c.type for c in catalog.stream("stock").columns}
    assert types == {"sku": "string", "qty": "integer", "price": "number"}


async def test_discover_reports_the_body_size(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    reply = Reply.data(DataFormat.NDJSON, RECORDS)
    receiver.script("/feed", reply)

    catalog = await connector.discover({"url": receiver.url("/feed"), "format": "NDJSON"}, AUTH)

    assert catalog.stream("feed").size_bytes == len(reply.body)


@pytest.mark.parametrize(
    ("path", "content_type", "expected"),
    [
        ("/export.csv", "application/octet-stream", DataFormat.CSV),
        ("/export", "text/csv; charset=utf-8", DataFormat.CSV),
        ("/export", "application/x-ndjson", DataFormat.NDJSON),
    ],
    ids=["by-extension", "by-content-type", "ndjson-content-type"],
)
async def test_without_a_chosen_format_it_is_taken_from_the_url_or_content_type(
    connector: WebhookConnector,
    receiver: Receiver,
    path: str,
    content_type: str,
    expected: DataFormat,
) -> None:
    body = Reply.data(expected, RECORDS).body
    receiver.script(path, Reply(body=body, headers={"Content-Type": content_type}))

    records, _ = await read_all(connector, {"url": receiver.url(path)})

    assert [r["sku"] for r in records] == ["A-1", "B-2", "C-3"]


async def test_records_path_finds_nested_records(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    body = json.dumps({"data": {"items": RECORDS}, "next": None}).encode()
    receiver.script("/api/items", Reply(body=body, headers={"Content-Type": "application/json"}))

    records, _ = await read_all(
        connector, {"url": receiver.url("/api/items"), "records_path": "data.items"}
    )

    assert records == RECORDS


async def test_read_then_read_again_with_etag_yields_no_duplicates(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script("/stock.csv", Reply.data(DataFormat.CSV, RECORDS, etag='"v1"'))
    config = {"url": receiver.url("/stock.csv")}

    first, states = await read_all(connector, config)
    again, states_again = await read_all(connector, config, states[-1])

    assert [r["sku"] for r in first] == ["A-1", "B-2", "C-3"]
    assert states[-1]["etag"] == '"v1"'
    assert again == []
    assert states_again == [states[-1]]
    assert receiver.received("GET")[1].headers["if-none-match"] == '"v1"'


async def test_unchanged_body_without_etag_yields_nothing(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script("/stock.csv", Reply.data(DataFormat.CSV, RECORDS))
    config = {"url": receiver.url("/stock.csv")}

    _, states = await read_all(connector, config)
    again, states_again = await read_all(connector, config, states[-1])

    assert states[-1]["etag"] is None
    assert again == []
    assert states_again[-1]["content_sha256"] == states[-1]["content_sha256"]


async def test_changed_body_is_read_in_full(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script(
        "/stock.csv",
        Reply.data(DataFormat.CSV, RECORDS[:1], etag='"v1"'),
        Reply.data(DataFormat.CSV, RECORDS, etag='"v2"'),
    )
    config = {"url": receiver.url("/stock.csv")}

    first, states = await read_all(connector, config)
    second, states_second = await read_all(connector, config, states[-1])

    assert len(first) == 1
    assert len(second) == 3
    assert states_second[-1]["etag"] == '"v2"'
    assert states_second[-1]["content_sha256"] != states[-1]["content_sha256"]


async def test_state_comes_after_every_record(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script("/stock.csv", Reply.data(DataFormat.CSV, RECORDS))

    kinds = [
        m.kind async for m in connector.read({"url": receiver.url("/stock.csv")}, AUTH, ["stock"])
    ]

    assert kinds == ["record", "record", "record", "state"]


async def test_stopping_a_read_early_releases_the_body(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    many = [{"n": i} for i in range(5000)]
    receiver.script("/big.ndjson", Reply.data(DataFormat.NDJSON, many))
    reader = cast(
        AsyncGenerator[ReadMessage, None],
        connector.read({"url": receiver.url("/big.ndjson")}, AUTH, []),
    )

    seen = []
    async for message in reader:
        seen.append(message)
        if len(seen) == 10:
            break
    # Closing joins the parser thread before the spooled body closes; a thread still
    # reading a closed file would surface here as an unraisable-exception error.
    await reader.aclose()

    assert len(seen) == 10
    assert all(isinstance(m, RecordMessage) for m in seen)


async def test_unknown_stream_is_not_found(connector: WebhookConnector, receiver: Receiver) -> None:
    receiver.script("/stock.csv", Reply.data(DataFormat.CSV, RECORDS))

    with pytest.raises(ResourceNotFoundError) as caught:
        await read_all(connector, {"url": receiver.url("/stock.csv")}, streams=("orders",))

    assert "stock" in caught.value.message
    assert receiver.requests == []


async def test_malformed_body_is_malformed_data(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script(
        "/feed", Reply(body=b'[{"a": 1}, {"a": ', headers={"Content-Type": "application/json"})
    )

    with pytest.raises(DataFormatError) as caught:
        await connector.discover({"url": receiver.url("/feed")}, AUTH)

    assert caught.value.failure is FailureClass.MALFORMED_DATA


async def test_body_over_the_limit_is_refused(tls: TestTLS, receiver: Receiver) -> None:
    receiver.script("/feed", Reply.data(DataFormat.NDJSON, RECORDS * 100))
    connector = WebhookConnector(make_context(tls), max_body_bytes=1000)

    with pytest.raises(ConnectorError) as caught:
        await connector.discover({"url": receiver.url("/feed"), "format": "NDJSON"}, AUTH)

    assert caught.value.failure is FailureClass.MALFORMED_DATA
    assert "larger than" in caught.value.message


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://x.example/exports/products.csv", "products"),
        ("https://x.example/api/v1/items?page=2", "items"),
        ("https://x.example/api/v1/items/", "items"),
        ("https://x.example/", "records"),
        ("https://x.example/files/price%20list.xlsx", "price list"),
    ],
    ids=["extension-dropped", "query-ignored", "trailing-slash", "no-path", "percent-decoded"],
)
def test_stream_is_named_after_the_last_path_segment(url: str, name: str) -> None:
    assert stream_name(url) == name
