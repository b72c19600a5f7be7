"""Webhook sinks: signed POSTs (Standard Webhooks), bounded retries, classified refusals."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from connectors.base import Delivery
from connectors.errors import ConnectorError, EndpointGoneError, InvalidConfigError, ServerError
from connectors.results import FailureClass
from connectors.spec import DataFormat
from connectors.webhook import DeliveryPolicy, WebhookConnector
from tests.connectors.webhook.conftest import (
    AUTH_HEADER,
    SIGNING_SECRET,
    Receiver,
    Reply,
    encode,
    make_context,
)
from tests.support.https import TestTLS
from tests.support.ports import free_port

SECRETS = {"auth_header": AUTH_HEADER, "signing_secret": SIGNING_SECRET}
RECORDS = [{"id": 1, "mapped": "yes"}, {"id": 2, "mapped": "no"}]
CONTENT_TYPES = {
    DataFormat.CSV: "text/csv; charset=utf-8",
    DataFormat.JSON: "application/json",
    DataFormat.NDJSON: "application/x-ndjson",
    DataFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def result_file(tmp_path: Path, fmt: DataFormat = DataFormat.JSON) -> Delivery:
    path = tmp_path / f"job-j1.{fmt.extension}"
    path.write_bytes(encode(fmt, RECORDS))
    return Delivery(job_id="job_j1", path=path, format=fmt, delivery_id="dlv_01J9ZK")


def sink_config(receiver: Receiver, path: str = "/inbox", **extra: object) -> dict[str, object]:
    return {"url": receiver.url(path), **extra}


@pytest.mark.parametrize("fmt", list(DataFormat), ids=[f.value for f in DataFormat])
async def test_write_posts_the_file_signed(
    connector: WebhookConnector,
    receiver: Receiver,
    tmp_path: Path,
    fmt: DataFormat,
) -> None:
    receiver.script("/inbox", Reply(status=202))
    delivery = result_file(tmp_path, fmt)

    result = await connector.write(sink_config(receiver, format=fmt.value), SECRETS, delivery)

    (post,) = receiver.received("POST")
    body = delivery.path.read_bytes()
    assert post.body == body
    assert post.headers["content-type"] == CONTENT_TYPES[fmt]
    assert post.headers["authorization"] == AUTH_HEADER
    assert post.headers["webhook-id"] == "dlv_01J9ZK"
    assert abs(int(post.headers["webhook-timestamp"]) - time.time()) < 60
    # The signature is HMAC-SHA256 over "{id}.{timestamp}.{raw body bytes}".
    key = base64.b64decode(SIGNING_SECRET.removeprefix("whsec_"))
    signed = f"{post.headers['webhook-id']}.{post.headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert post.headers["webhook-signature"] == f"v1,{expected}"
    assert result.bytes_written == len(body)
    assert result.attempts == 1
    assert result.status_code == 202


@pytest.mark.parametrize(
    "fmt", [DataFormat.CSV, DataFormat.JSON, DataFormat.NDJSON], ids=["CSV", "JSON", "NDJSON"]
)
async def test_the_standardwebhooks_library_verifies_the_signature(
    connector: WebhookConnector,
    receiver: Receiver,
    tmp_path: Path,
    fmt: DataFormat,
) -> None:
    receiver.script("/inbox", Reply(status=204))

    await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path, fmt))

    (post,) = receiver.received("POST")
    # verify() raises WebhookVerificationError on any mismatch.
    Webhook(SIGNING_SECRET).verify(post.body, post.headers, json_parse=False)


async def test_a_tampered_body_fails_verification(
    connector: WebhookConnector, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script("/inbox", Reply(status=204))

    await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path))

    (post,) = receiver.received("POST")
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(SIGNING_SECRET).verify(post.body + b" ", post.headers, json_parse=False)


async def test_the_location_has_no_query_string(
    connector: WebhookConnector, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script("/inbox", Reply(status=200))
    config = {"url": receiver.url("/inbox?tenant=acme")}

    result = await connector.write(config, SECRETS, result_file(tmp_path))

    assert result.location == receiver.url("/inbox")
    assert receiver.received("POST")[0].query == "tenant=acme"


async def test_a_503_is_retried_with_the_same_webhook_id(
    connector: WebhookConnector, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script("/inbox", Reply(status=503), Reply(status=200))

    result = await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path))

    first, second = receiver.received("POST")
    assert result.attempts == 2
    assert result.status_code == 200
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == "dlv_01J9ZK"
    assert first.body == second.body
    for post in (first, second):
        Webhook(SIGNING_SECRET).verify(post.body, post.headers, json_parse=False)


async def test_retries_are_bounded(
    connector: WebhookConnector, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script("/inbox", Reply(status=500))

    with pytest.raises(ConnectorError) as caught:
        await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path))

    assert isinstance(caught.value, ServerError)
    assert caught.value.failure is FailureClass.SERVER_ERROR
    assert "3 attempt(s)" in caught.value.message
    assert len(receiver.received("POST")) == 3


@pytest.mark.parametrize("status", [408, 429, 502], ids=["408", "429", "502"])
async def test_transient_answers_are_retried(
    connector: WebhookConnector, receiver: Receiver, tmp_path: Path, status: int
) -> None:
    receiver.script("/inbox", Reply(status=status), Reply(status=204))

    result = await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path))

    assert result.attempts == 2
    assert result.status_code == 204


async def test_retry_after_is_honoured(
    connector: WebhookConnector, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script("/inbox", Reply(status=503, headers={"Retry-After": "1"}), Reply(status=200))

    await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path))

    first, second = receiver.received("POST")
    # The policy's own backoff is 10 ms; only Retry-After explains a wait of a second.
    assert second.at - first.at >= 0.9


async def test_retry_after_is_capped(tls: TestTLS, receiver: Receiver, tmp_path: Path) -> None:
    policy = DeliveryPolicy(backoff_base=0.01, retry_after_cap=0.2)
    connector = WebhookConnector(make_context(tls), delivery_policy=policy)
    receiver.script("/inbox", Reply(status=429, headers={"Retry-After": "3600"}), Reply(status=200))

    result = await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path))

    first, second = receiver.received("POST")
    assert result.attempts == 2
    assert 0.15 <= second.at - first.at < 2


async def test_a_timeout_is_retried(tls: TestTLS, receiver: Receiver, tmp_path: Path) -> None:
    connector = WebhookConnector(
        make_context(tls, timeout=0.3), delivery_policy=DeliveryPolicy(backoff_base=0.01)
    )
    receiver.script("/inbox", Reply(status=200, delay=2.0), Reply(status=200))

    result = await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path))

    assert result.attempts == 2
    assert len(receiver.received("POST")) == 2


async def test_410_is_endpoint_gone_after_one_attempt(
    connector: WebhookConnector, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script("/inbox", Reply(status=410))

    with pytest.raises(ConnectorError) as caught:
        await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path))

    assert isinstance(caught.value, EndpointGoneError)
    assert caught.value.failure is FailureClass.ENDPOINT_GONE
    assert not caught.value.retryable
    assert len(receiver.received("POST")) == 1


@pytest.mark.parametrize(
    ("status", "failure"),
    [
        (401, FailureClass.AUTH_FAILED),
        (403, FailureClass.AUTH_FAILED),
        (404, FailureClass.NOT_FOUND),
        (422, FailureClass.MALFORMED_DATA),
        (301, FailureClass.INVALID_CONFIG),
        (307, FailureClass.INVALID_CONFIG),
    ],
    ids=["401", "403", "404", "422", "301", "307"],
)
async def test_refusals_are_classified_and_not_retried(
    connector: WebhookConnector,
    receiver: Receiver,
    tmp_path: Path,
    status: int,
    failure: FailureClass,
) -> None:
    receiver.script("/inbox", Reply(status=status, headers={"Location": "/elsewhere"}))

    with pytest.raises(ConnectorError) as caught:
        await connector.write(sink_config(receiver), SECRETS, result_file(tmp_path))

    assert caught.value.failure is failure
    assert [r.path for r in receiver.requests] == ["/inbox"]


async def test_write_without_a_signing_secret_sends_nothing(
    connector: WebhookConnector, receiver: Receiver, tmp_path: Path
) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        await connector.write(
            sink_config(receiver), {"auth_header": AUTH_HEADER}, result_file(tmp_path)
        )

    assert caught.value.field == "signing_secret"
    assert receiver.requests == []


async def test_unreachable_receiver_is_retried_then_reported(
    connector: WebhookConnector, tmp_path: Path
) -> None:
    config = {"url": f"https://127.0.0.1:{free_port()}/inbox"}

    with pytest.raises(ConnectorError) as caught:
        await connector.write(config, SECRETS, result_file(tmp_path))

    assert caught.value.failure is FailureClass.UNREACHABLE
    assert "3 attempt(s)" in caught.value.message
