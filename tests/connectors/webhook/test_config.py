"""Webhook spec and config: fields, roles, validation, and the helpers behind them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr, ValidationError
from standardwebhooks import Webhook

from connectors.errors import InvalidConfigError
from connectors.spec import DataFormat, Role
from connectors.webhook import (
    WebhookConfig,
    WebhookConnector,
    WebhookSecrets,
    WebhookSigner,
    generate_signing_secret,
)
from connectors.webhook._http import retry_after_seconds
from connectors.webhook.config import display_url
from tests.connectors.webhook.conftest import SIGNING_SECRET


def test_spec_serves_both_roles_with_role_specific_fields() -> None:
    spec = WebhookConnector.spec

    source = {f.name for f in spec.fields_for(Role.INVENTORY_SOURCE)}
    sink = {f.name for f in spec.fields_for(Role.RESULTS_SINK)}

    assert spec.type == "WEBHOOK"
    assert set(spec.roles) == {Role.INVENTORY_SOURCE, Role.RESULTS_SINK}
    assert {"webhook", "https", "api endpoint"} <= set(spec.aliases)
    assert source == {"url", "method", "format", "records_path", "headers", "auth_header"}
    assert sink == {"url", "format", "headers", "auth_header", "signing_secret"}
    assert spec.secret_fields == {"auth_header", "signing_secret"}


def test_url_is_the_only_required_field() -> None:
    required = {f.name for f in WebhookConnector.spec.fields if f.required}
    url = next(f for f in WebhookConnector.spec.fields if f.name == "url")

    assert required == {"url"}
    assert url.kind == "url"


def test_defaults_and_case_insensitive_choices() -> None:
    config = WebhookConfig.model_validate(
        {"url": " https://example.com/feed ", "format": "ndjson", "method": "post"}
    )

    assert config.url == "https://example.com/feed"
    assert config.format is DataFormat.NDJSON
    assert config.method == "POST"
    assert WebhookConfig.model_validate({"url": "https://e.com"}).headers == {}


def test_a_header_holding_a_credential_points_to_the_auth_header() -> None:
    with pytest.raises(InvalidConfigError) as caught:
        WebhookConnector().parse(
            {"url": "https://example.com", "headers": {"Authorization": "Bearer abc123"}}, {}
        )

    assert caught.value.field == "headers"
    assert "auth header" in caught.value.message
    assert "abc123" not in str(caught.value)


def test_unknown_config_keys_are_refused() -> None:
    with pytest.raises(ValidationError):
        WebhookConfig.model_validate({"url": "https://example.com", "hedaers": {}})


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://example.com/hook?token=abc#frag", "https://example.com/hook"),
        ("https://u:p@example.com:8443/a/b", "https://example.com:8443/a/b"),
        ("http://example.com", "http://example.com"),
    ],
    ids=["query-and-fragment", "userinfo", "bare"],
)
def test_display_url_drops_what_may_carry_secrets(url: str, shown: str) -> None:
    assert display_url(url) == shown


def test_blank_secrets_count_as_absent() -> None:
    secrets = WebhookSecrets.model_validate({"auth_header": "  ", "signing_secret": ""})

    assert secrets.auth_header is None
    assert secrets.signing_secret is None


@pytest.mark.parametrize(
    "secret",
    ["whsec_", "whsec_c2hvcnQ=", "not base64 at all!"],
    ids=["empty-key", "short-key", "garbage"],
)
def test_malformed_signing_secrets_are_refused(secret: str) -> None:
    with pytest.raises(ValidationError) as caught:
        WebhookSecrets.model_validate({"signing_secret": secret})

    assert "whsec_" in str(caught.value)


def test_signer_matches_the_standardwebhooks_library() -> None:
    signer = WebhookSigner(SecretStr(SIGNING_SECRET))
    when = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    body = '{"id": 1, "name": "Ada"}'

    ours = signer.sign("msg_1", int(when.timestamp()), [body[:5].encode(), body[5:].encode()])

    assert ours == Webhook(SIGNING_SECRET).sign("msg_1", when, body)


def test_generated_secrets_are_fresh_and_usable() -> None:
    first, second = generate_signing_secret(), generate_signing_secret()

    assert first != second
    assert first.startswith("whsec_")
    assert WebhookSecrets.model_validate({"signing_secret": first}).signing_secret is not None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("Mon, 23 Nov 2026 12:00:30 GMT", 30.0),
        ("Mon, 23 Nov 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
    ids=["delta-seconds", "http-date", "date-in-the-past", "garbage", "absent"],
)
def test_retry_after_is_read_as_seconds_or_a_date(
    header: str | None, seconds: float | None
) -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    assert retry_after_seconds(header, now=now) == seconds


def test_a_pasted_auth_header_is_trimmed() -> None:
    secrets = WebhookSecrets.model_validate({"auth_header": " Bearer abc123\n"})

    assert secrets.auth_header is not None
    assert secrets.auth_header.get_secret_value() == "Bearer abc123"


def test_an_auth_header_with_typographic_characters_is_refused_without_echo() -> None:
    with pytest.raises(InvalidConfigError) as caught:
        WebhookConnector().parse({"url": "https://e.com"}, {"auth_header": "Bearer abc123…"})

    assert caught.value.field == "auth_header"
    assert "ASCII" in caught.value.message
    assert "abc123" not in str(caught.value)
