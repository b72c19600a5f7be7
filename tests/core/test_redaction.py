"""Secret-named keys and registered secret values are kept out of text."""

from __future__ import annotations

import pytest

from core.redaction import (
    REDACTED,
    SecretRegistry,
    is_secret_key,
    redact_mapping,
    redact_text,
    registered_secrets,
)

SECRET_KEYS = [
    "password",
    "db_pwd",
    "pwd",
    "passwd",
    "db_pass",
    "secret_access_key",
    "secretAccessKey",
    "auth_header",
    "Authorization",
    "auth",
    "token",
    "api_key",
    "apiKey",
    "X-Api-Key",
    "key",
    "signing_key",
    "signingKey",
    "vault_key",
    "master_key",
    "encryption_key",
    "private_key",
    "sig",
    "sas",
    "sas_token",
    "webhook-signature",
    "client_secret",
    "cookie",
]
ORDINARY_KEYS = [
    "primary_key",
    "object_key",
    "idempotency_key",
    "partition_key",
    "code",
    "error_code",
    "keys",
    "bypass",
    "access_key_id",
    "accessKeyId",
    "kms_key_id",
    "secret_ref",
    "secretRef",
    "token_type",
    "mask",
    "signal",
    "page",
    "endpoint_url",
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_secret_names_are_recognised(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ORDINARY_KEYS)
def test_ordinary_names_are_left_alone(key: str) -> None:
    assert not is_secret_key(key)


def test_mappings_mask_secret_keys_and_keep_ordinary_ones() -> None:
    data = {"signing_key": "abc", "primary_key": "id", "nested": {"pwd": "x"}}

    assert redact_mapping(data) == {
        "signing_key": REDACTED,
        "primary_key": "id",
        "nested": {"pwd": REDACTED},
    }


def test_a_value_stays_redacted_until_every_registration_is_dropped() -> None:
    registry = SecretRegistry()
    registry.register("shared-secret-value")
    registry.register("shared-secret-value")

    registry.unregister("shared-secret-value")
    still = registry.redact("got shared-secret-value")
    registry.unregister("shared-secret-value")

    assert still == f"got {REDACTED}"
    assert registry.redact("got shared-secret-value") == "got shared-secret-value"


def test_unregistering_one_value_keeps_the_others() -> None:
    registry = SecretRegistry()
    registry.register("first-secret-value")
    registry.register("second-secret-value")

    registry.unregister("first-secret-value")

    assert registry.redact("first-secret-value second-secret-value") == (
        f"first-secret-value {REDACTED}"
    )


def test_registered_secrets_are_redacted_inside_the_block_only() -> None:
    with registered_secrets("scoped-secret-value-1"):
        inside = redact_text("x scoped-secret-value-1 y")

    assert inside == f"x {REDACTED} y"
    assert redact_text("x scoped-secret-value-1 y") == "x scoped-secret-value-1 y"


def test_values_too_short_to_redact_safely_are_not_registered() -> None:
    registry = SecretRegistry()

    registry.register("abc")

    assert registry.redact("abc") == "abc"


def test_holds_answers_for_one_owner_only() -> None:
    registry = SecretRegistry()
    with registry.owned("ses_a"):
        registry.register("Pg-canary-0123456789")
        assert registry.holds("Pg-canary-0123456789")
    with registry.owned("ses_b"):
        assert not registry.holds("Pg-canary-0123456789")
    assert registry.holds("Pg-canary-0123456789", owner="ses_a")
    registry.release("ses_a")
    assert not registry.holds("Pg-canary-0123456789", owner="ses_a")
