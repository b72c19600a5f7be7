"""AES-256-GCM with each secret bound to its tenant and id.

The tenant id and secret id are the associated data, so a ciphertext copied into another
tenant's row, or under another id, fails authentication instead of decrypting.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from connections.vault.errors import VaultError

__all__ = ["NONCE_BYTES", "associated_data", "decrypt", "encrypt"]

NONCE_BYTES = 12
_CONTEXT = "ingestion-agent:v1"


def associated_data(tenant_id: str, secret_id: str) -> bytes:
    """The associated data that binds a ciphertext to ``tenant_id`` and ``secret_id``.

    Args:
        tenant_id: The owning tenant.
        secret_id: The secret's id (``sec_...``).

    Returns:
        ``ingestion-agent:v1:{tenant_id}:{secret_id}`` as UTF-8.

    Raises:
        VaultError: ``secret_id`` contains a colon.
    """
    # The secret id comes last; without colons in it the string splits back one way only,
    # so no other (tenant, id) pair yields the same associated data.
    if ":" in secret_id:
        raise VaultError(f"secret id {secret_id!r} must not contain ':'")
    return f"{_CONTEXT}:{tenant_id}:{secret_id}".encode()


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """Encrypt ``plaintext`` under ``key`` with a fresh random nonce.

    Args:
        key: A 32-byte AES key.
        plaintext: The bytes to protect.
        aad: Associated data from :func:`associated_data`.

    Returns:
        ``(nonce, ciphertext)``; the ciphertext ends with the 16-byte tag.
    """
    # A random 96-bit nonce per message; GCM is only safe while nonces never repeat.
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes, *, secret_id: str) -> bytes:
    """Authenticate and decrypt a ciphertext made by :func:`encrypt`.

    Args:
        key: The 32-byte AES key the ciphertext was made with.
        nonce: Its nonce.
        ciphertext: Ciphertext and tag.
        aad: The associated data it was bound to.
        secret_id: Named in the error message.

    Returns:
        The plaintext.

    Raises:
        VaultError: The ciphertext was altered, moved to another tenant or id, or made
            with another key.
    """
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError) as exc:
        raise VaultError(
            f"secret {secret_id} does not decrypt: it was altered, copied from another "
            "tenant or secret, or encrypted with another key"
        ) from exc
