"""Canary: the auth header and signing secret never reach a result, an error or a log."""

from __future__ import annotations

import base64
import logging
import ssl
from pathlib import Path
from urllib.parse import quote

import pytest
import structlog

from connectors.base import Delivery
from connectors.errors import ConnectorError
from connectors.guard import NetworkPolicy
from connectors.results import CheckResult
from connectors.spec import DataFormat, Role
from connectors.webhook import WebhookConnector, WebhookSecrets, WebhookSigner
from tests.connectors.webhook.conftest import (
    AUTH_HEADER,
    FAST_RETRIES,
    SIGNING_SECRET,
    Receiver,
    Reply,
    make_context,
)
from tests.support.https import TestTLS
from tests.support.ports import free_port

TOKEN = AUTH_HEADER.removeprefix("Bearer ")
KEY = SIGNING_SECRET.removeprefix("whsec_")
LEAKS = [
    AUTH_HEADER,
    TOKEN,
    quote(TOKEN),
    base64.b64encode(TOKEN.encode()).decode(),
    SIGNING_SECRET,
    KEY,
    base64.b64decode(KEY).decode(),
    "leaked-through-location",
]


def assert_clean(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text


async def test_no_canary_in_check_results_errors_or_logs(
    tls: TestTLS, receiver: Receiver, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = {"auth_header": AUTH_HEADER, "signing_secret": SIGNING_SECRET}
    receiver.script("/401", Reply(status=401))
    receiver.script("/403", Reply(status=403))
    receiver.script("/500", Reply(status=500))
    receiver.script("/410", Reply(status=410))
    receiver.script("/slow", Reply(status=204, delay=2.0))
    receiver.script(
        "/moved",
        Reply(status=302, headers={"Location": "/next?token=leaked-through-location"}),
    )
    fast = make_context(tls, timeout=0.3)
    contexts = [
        fast,
        make_context(tls, trust=ssl.create_default_context()),
        make_context(tls, network=NetworkPolicy()),
    ]
    connectors = [WebhookConnector(c, delivery_policy=FAST_RETRIES) for c in contexts]
    urls = [receiver.url(p) for p in ("/401", "/403", "/500", "/410", "/slow", "/moved")]
    urls.append(f"https://127.0.0.1:{free_port()}/closed")
    delivery_file = tmp_path / "out.json"
    delivery_file.write_bytes(b'[{"id": 1}]')
    delivery = Delivery(
        job_id="job_1", path=delivery_file, format=DataFormat.JSON, delivery_id="dlv_1"
    )

    texts: list[str] = []
    # INFO is what a deployment logs; httpcore's DEBUG traces quote response headers.
    caplog.set_level(logging.INFO)
    with structlog.testing.capture_logs() as logs:
        for connector in connectors:
            for url in urls:
                for role in Role:
                    result: CheckResult = await connector.check({"url": url}, secrets, role=role)
                    assert not result.ok
                    texts.append(result.model_dump_json())
                try:
                    await connector.write({"url": url}, secrets, delivery)
                except ConnectorError as exc:
                    texts.extend([str(exc), repr(exc), exc.message])
                else:
                    pytest.fail(f"write to {url} should have failed")
                with pytest.raises(ConnectorError) as caught:
                    await connector.discover({"url": url}, secrets)
                texts.extend([str(caught.value), repr(caught.value)])

    # Per connector and URL: two check results, three texts of the write error, two of discover.
    assert len(texts) == len(connectors) * len(urls) * 7
    assert_clean("\n".join(texts))
    assert_clean("\n".join(str(event) for event in logs))
    assert_clean(caplog.text)


async def test_a_bad_signing_secret_is_refused_without_echoing_it(
    connector: WebhookConnector, receiver: Receiver
) -> None:
    bad = "whsec_" + "c2hvcnQ="  # base64 of "short": too short to be a key

    result = await connector.check(
        {"url": receiver.url("/inbox")}, {"signing_secret": bad}, role=Role.RESULTS_SINK
    )

    assert result.field == "signing_secret"
    assert "c2hvcnQ" not in result.model_dump_json()
    assert receiver.requests == []


def test_secrets_and_signer_do_not_show_their_values() -> None:
    secrets = WebhookSecrets.model_validate(
        {"auth_header": AUTH_HEADER, "signing_secret": SIGNING_SECRET}
    )
    signer = WebhookSigner(secrets.signing_secret)  # type: ignore[arg-type]

    assert_clean(repr(secrets) + str(secrets) + secrets.model_dump_json() + repr(signer))
