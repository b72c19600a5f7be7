"""Webhook ``check``: the OPTIONS ping, the source's GET, and every failure classified."""

from __future__ import annotations

import ssl

import pytest

from connectors.guard import NetworkPolicy
from connectors.results import CheckResult, FailureClass, StepStatus
from connectors.spec import DataFormat, Role
from connectors.webhook import WebhookConnector
from tests.connectors.webhook.conftest import (
    AUTH_HEADER,
    SIGNING_SECRET,
    Receiver,
    Reply,
    make_context,
)
from tests.support.https import TestTLS
from tests.support.ports import free_port

RECORDS = [{"sku": "A-1", "qty": 3}, {"sku": "B-2", "qty": 5}]
SOURCE_STEPS = ["validate_config", "resolve_endpoint", "ping", "fetch"]


def statuses(result: CheckResult) -> dict[str, StepStatus]:
    return {step.name: step.status for step in result.steps}


@pytest.mark.parametrize("options_status", [200, 204, 405], ids=["200", "204", "405"])
async def test_source_check_passes_when_options_answers_2xx_or_405(
    connector: WebhookConnector, receiver: Receiver, options_status: int
) -> None:
    receiver.script("/items.csv", Reply(status=options_status), method="OPTIONS")
    receiver.script("/items.csv", Reply.data(DataFormat.CSV, RECORDS), method="GET")

    result = await connector.check(
        {"url": receiver.url("/items.csv")}, {"auth_header": AUTH_HEADER}
    )

    assert result.ok, result.message
    assert [s.name for s in result.steps] == SOURCE_STEPS
    assert set(statuses(result).values()) == {StepStatus.OK}
    assert result.details["ping_status"] == options_status
    assert result.details["content_type"] == "text/csv"
    assert result.details["format"] == "CSV"
    assert result.details["size_bytes"] > 0
    assert "text/csv" in result.message


async def test_source_check_sends_options_then_get_with_the_auth_header(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script("/feed", Reply.data(DataFormat.JSON, RECORDS))

    await connector.check(
        {"url": receiver.url("/feed"), "headers": {"Accept": "application/json"}},
        {"auth_header": AUTH_HEADER},
    )

    assert [r.method for r in receiver.requests] == ["OPTIONS", "GET"]
    for request in receiver.requests:
        assert request.headers["authorization"] == AUTH_HEADER
        assert request.headers["accept"] == "application/json"


async def test_sink_check_pings_only_and_delivers_nothing(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script("/inbox", Reply(status=204))

    result = await connector.check(
        {"url": receiver.url("/inbox")}, {"signing_secret": SIGNING_SECRET}, role=Role.RESULTS_SINK
    )

    assert result.ok, result.message
    assert [s.name for s in result.steps] == [
        "validate_config",
        "signing_secret",
        "resolve_endpoint",
        "ping",
    ]
    assert [r.method for r in receiver.requests] == ["OPTIONS"]


async def test_sink_check_requires_a_signing_secret(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script("/inbox", Reply(status=204))

    result = await connector.check(
        {"url": receiver.url("/inbox")}, {"auth_header": AUTH_HEADER}, role=Role.RESULTS_SINK
    )

    assert result.failure is FailureClass.INVALID_CONFIG
    assert result.field == "signing_secret"
    assert statuses(result)["signing_secret"] is StepStatus.FAILED
    assert statuses(result)["ping"] is StepStatus.SKIPPED
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("status", "failure", "field"),
    [
        (401, FailureClass.AUTH_FAILED, "auth_header"),
        (403, FailureClass.AUTH_FAILED, "auth_header"),
        (404, FailureClass.NOT_FOUND, "url"),
        (410, FailureClass.NOT_FOUND, "url"),
        (500, FailureClass.SERVER_ERROR, None),
        (503, FailureClass.SERVER_ERROR, None),
    ],
    ids=["401", "403", "404", "410", "500", "503"],
)
async def test_ping_answers_are_classified(
    connector: WebhookConnector,
    receiver: Receiver,
    status: int,
    failure: FailureClass,
    field: str | None,
) -> None:
    receiver.script("/feed", Reply(status=status))

    result = await connector.check({"url": receiver.url("/feed")}, {"auth_header": AUTH_HEADER})

    assert not result.ok
    assert result.failure is failure
    assert result.field == field
    assert f"HTTP {status}" in result.message
    assert statuses(result) == {
        "validate_config": StepStatus.OK,
        "resolve_endpoint": StepStatus.OK,
        "ping": StepStatus.FAILED,
        "fetch": StepStatus.SKIPPED,
    }


async def test_401_without_an_auth_header_asks_for_one(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script("/feed", Reply(status=401))

    result = await connector.check({"url": receiver.url("/feed")}, {})

    assert result.failure is FailureClass.AUTH_FAILED
    assert "Add an auth header" in result.message


async def test_get_refused_after_a_permissive_options_is_auth_failed(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    # Many servers answer a CORS-style OPTIONS without looking at credentials.
    receiver.script("/feed", Reply(status=204), method="OPTIONS")
    receiver.script("/feed", Reply(status=403), method="GET")

    result = await connector.check({"url": receiver.url("/feed")}, {"auth_header": AUTH_HEADER})

    assert result.failure is FailureClass.AUTH_FAILED
    assert statuses(result)["ping"] is StepStatus.OK
    assert statuses(result)["fetch"] is StepStatus.FAILED


async def test_redirect_fails_and_is_not_followed(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script(
        "/old",
        Reply(status=302, headers={"Location": "/new?token=should-not-be-echoed"}),
    )
    receiver.script("/new", Reply(status=204))

    result = await connector.check({"url": receiver.url("/old")}, {"auth_header": AUTH_HEADER})

    assert not result.ok
    assert result.failure is FailureClass.INVALID_CONFIG
    assert result.field == "url"
    assert receiver.url("/new") in result.message
    assert "should-not-be-echoed" not in result.message
    assert [r.path for r in receiver.requests] == ["/old"]


async def test_a_web_page_instead_of_data_fails_the_fetch(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    receiver.script(
        "/feed", Reply(body=b"<html>Log in</html>", headers={"Content-Type": "text/html"})
    )

    result = await connector.check({"url": receiver.url("/feed")}, {"auth_header": AUTH_HEADER})

    assert result.failure is FailureClass.MALFORMED_DATA
    assert "web page" in result.message
    assert statuses(result)["fetch"] is StepStatus.FAILED


async def test_untrusted_certificate_is_tls(tls: TestTLS, receiver: Receiver) -> None:
    receiver.script("/feed", Reply(status=204))
    # The system trust store does not know the test CA: as with a self-signed server.
    connector = WebhookConnector(make_context(tls, trust=ssl.create_default_context()))

    result = await connector.check({"url": receiver.url("/feed")}, {"auth_header": AUTH_HEADER})

    assert result.failure is FailureClass.TLS
    assert "TLS certificate" in result.message
    assert "could not be verified" in result.message
    assert receiver.requests == []


async def test_closed_port_is_unreachable(connector: WebhookConnector) -> None:
    url = f"https://127.0.0.1:{free_port()}/feed"

    result = await connector.check({"url": url}, {"auth_header": AUTH_HEADER})

    assert result.failure is FailureClass.UNREACHABLE
    assert result.field == "url"
    assert statuses(result)["ping"] is StepStatus.FAILED


async def test_slow_server_is_timeout(tls: TestTLS, receiver: Receiver) -> None:
    receiver.script("/slow", Reply(status=204, delay=3.0))
    connector = WebhookConnector(make_context(tls, timeout=0.3))

    result = await connector.check({"url": receiver.url("/slow")}, {"auth_header": AUTH_HEADER})

    assert result.failure is FailureClass.TIMEOUT
    assert "0.3 seconds" in result.message


async def test_empty_allow_list_blocks_loopback_and_sends_nothing(
    tls: TestTLS, receiver: Receiver
) -> None:
    receiver.script("/feed", Reply(status=204))
    connector = WebhookConnector(make_context(tls, network=NetworkPolicy()))

    result = await connector.check({"url": receiver.url("/feed")}, {"auth_header": AUTH_HEADER})

    assert result.failure is FailureClass.BLOCKED_BY_POLICY
    assert "INGESTION_AGENT_ALLOWED_NETWORKS" in result.message
    assert statuses(result) == {
        "validate_config": StepStatus.OK,
        "resolve_endpoint": StepStatus.FAILED,
        "ping": StepStatus.SKIPPED,
        "fetch": StepStatus.SKIPPED,
    }
    assert receiver.requests == []


async def test_a_name_resolving_to_a_refused_address_is_blocked_before_connecting(
    tls: TestTLS, receiver: Receiver
) -> None:
    port = receiver.base_url.rsplit(":", 1)[1]
    connector = WebhookConnector(make_context(tls, network=NetworkPolicy()))

    result = await connector.check({"url": f"https://localhost:{port}/feed"}, {})

    assert result.failure is FailureClass.BLOCKED_BY_POLICY
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"url": "ftp://example.com/feed"}, "url"),
        ({"url": "https://user:pw@example.com/feed"}, "url"),
        ({"url": "https://example.com/feed?api_key=abc"}, "url"),
        ({"url": "https://example.com/f", "headers": {"Authorization": "x"}}, "headers"),
        ({"url": "https://example.com/f", "headers": {"X-Api-Key": "x"}}, "headers"),
        ({"url": "https://example.com/f", "headers": {"Cookie": "s=1"}}, "headers"),
        ({"url": "https://example.com/f", "headers": {"X-A": "a\r\nX-B: b"}}, "headers"),
        ({"url": "https://example.com/f", "format": "CSV", "records_path": "a.b"}, None),
    ],
    ids=[
        "ftp",
        "userinfo",
        "token-in-query",
        "authorization-header",
        "api-key-header",
        "cookie-header",
        "header-injection",
        "records-path-on-csv",
    ],
)
async def test_invalid_config_is_refused_before_contacting_anything(
    connector: WebhookConnector, config: dict[str, object], field: str | None
) -> None:
    result = await connector.check(config, {})

    assert result.failure is FailureClass.INVALID_CONFIG
    assert result.field == field
    assert statuses(result)["validate_config"] is StepStatus.FAILED
    assert statuses(result)["ping"] is StepStatus.SKIPPED
