"""AES-256-GCM with the tenant and secret id as associated data."""

from __future__ import annotations

import pytest

from connections.vault import VaultError, generate_key
from connections.vault.cipher import NONCE_BYTES, associated_data, decrypt, encrypt


def test_round_trip_with_a_fresh_nonce_each_time() -> None:
    key = generate_key()
    aad = associated_data("tenant-a", "sec_1")
    first = encrypt(key, b"plaintext value", aad)
    second = encrypt(key, b"plaintext value", aad)
    assert len(first[0]) == NONCE_BYTES
    assert first[0] != second[0]
    assert first[1] != second[1]
    assert decrypt(key, *first, aad, secret_id="sec_1") == b"plaintext value"


@pytest.mark.parametrize(
    ("tenant", "secret_id"),
    [
        pytest.param("tenant-b", "sec_1", id="other-tenant"),
        pytest.param("tenant-a", "sec_2", id="other-id"),
    ],
)
def test_other_associated_data_does_not_decrypt(tenant: str, secret_id: str) -> None:
    key = generate_key()
    nonce, ciphertext = encrypt(key, b"plaintext value", associated_data("tenant-a", "sec_1"))
    with pytest.raises(VaultError, match="does not decrypt") as raised:
        decrypt(key, nonce, ciphertext, associated_data(tenant, secret_id), secret_id=secret_id)
    assert "plaintext value" not in str(raised.value)


def test_another_key_does_not_decrypt() -> None:
    aad = associated_data("tenant-a", "sec_1")
    nonce, ciphertext = encrypt(generate_key(), b"plaintext value", aad)
    with pytest.raises(VaultError):
        decrypt(generate_key(), nonce, ciphertext, aad, secret_id="sec_1")


def test_secret_ids_with_colons_are_refused() -> None:
    # With a colon in the id, two (tenant, id) pairs could share associated data.
    with pytest.raises(VaultError, match="must not contain"):
        associated_data("tenant", "sec:1")
