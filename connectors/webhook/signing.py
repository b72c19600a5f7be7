"""Standard Webhooks signatures for sink deliveries (https://www.standardwebhooks.com).

Each delivery carries ``webhook-id`` (stable across retries, so receivers de-duplicate),
``webhook-timestamp`` (fresh per attempt, so receivers can refuse replays) and
``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``.

The ``standardwebhooks`` library's ``Webhook.sign`` takes the body as ``str``, which fits
neither an XLSX body nor a file too large to hold in memory, so the HMAC is computed here
over the raw bytes, streamed from the file. The key is decoded exactly as the library
decodes it, and the tests verify our headers with the library's ``Webhook.verify``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from pathlib import Path

from pydantic import SecretStr

from connectors.webhook.config import signing_key

__all__ = ["WebhookSigner", "generate_signing_secret"]

_CHUNK = 1 << 16
_PREFIX = "whsec_"
# Standard Webhooks asks for 24 to 64 random bytes; 32 matches the SHA-256 output size.
_GENERATED_BYTES = 32


class WebhookSigner:
    """Signs payloads with one secret; its ``repr`` never shows the key."""

    __slots__ = ("_key",)

    def __init__(self, secret: SecretStr) -> None:
        """Decode ``secret`` (``whsec_`` + base64).

        Raises:
            ValueError: The secret is malformed; the message never contains it.
        """
        self._key = signing_key(secret)

    def __repr__(self) -> str:
        return "WebhookSigner(key=***)"

    def sign(self, msg_id: str, timestamp: int, body: Iterable[bytes]) -> str:
        """The ``webhook-signature`` value for ``body`` given as chunks of bytes."""
        mac = hmac.new(self._key, f"{msg_id}.{timestamp}.".encode(), hashlib.sha256)
        for chunk in body:
            mac.update(chunk)
        return f"v1,{base64.b64encode(mac.digest()).decode('ascii')}"

    def sign_file(self, msg_id: str, timestamp: int, path: Path) -> str:
        """Like :meth:`sign`, streaming the body from ``path`` (blocking: run in a thread)."""
        with path.open("rb") as body:
            return self.sign(msg_id, timestamp, iter(lambda: body.read(_CHUNK), b""))

    def headers(self, msg_id: str, timestamp: int, signature: str) -> dict[str, str]:
        """The three Standard Webhooks headers."""
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
        }


def generate_signing_secret() -> str:
    """A fresh Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return _PREFIX + base64.b64encode(secrets.token_bytes(_GENERATED_BYTES)).decode("ascii")
