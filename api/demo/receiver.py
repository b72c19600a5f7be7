"""A local webhook receiver for the demo: it accepts deliveries and says what arrived.

It answers the connection test's ``OPTIONS`` ping, and for each ``POST`` checks the
Standard Webhooks signature (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``)
with the demo's signing secret, saves the body under ``deliveries/`` and prints one line.
A delivery whose signature does not verify is refused with 401, as a real receiver would.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from aiohttp import web
from pydantic import SecretStr

from connectors.webhook.config import signing_key

__all__ = ["HOOK_PATH", "WebhookReceiver", "signature_matches"]

HOOK_PATH = "/hook"
# Standard Webhooks: refuse a timestamp more than five minutes away (replays).
_TOLERANCE = 5 * 60
_MAX_BODY = 64 << 20
_SUFFIXES = {"text/csv": ".csv", "application/json": ".json", "application/x-ndjson": ".ndjson"}


def signature_matches(
    key: bytes, headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> bool:
    """Whether the Standard Webhooks headers sign ``body`` with ``key`` and are fresh."""
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (msg_id and stamp.isdigit() and signatures):
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > _TOLERANCE:
        return False
    expected = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        try:
            given = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        if version == "v1" and hmac.compare_digest(expected, given):
            return True
    return False


class WebhookReceiver:
    """The receiver's routes, what it saw, and where it saves deliveries."""

    def __init__(
        self, signing_secret: str | None, deliveries: Path, report: Callable[[str], None]
    ) -> None:
        """Verify with ``signing_secret`` when given; save bodies in ``deliveries``."""
        self._key = signing_key(SecretStr(signing_secret)) if signing_secret else None
        self._deliveries = deliveries
        self._report = report
        self.count = 0

    def app(self) -> web.Application:
        """The aiohttp application serving :data:`HOOK_PATH`."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", HOOK_PATH, self._hook)
        return app

    async def _hook(self, request: web.Request) -> web.StreamResponse:
        if request.method == "OPTIONS":
            self._report(f"webhook ← OPTIONS {HOOK_PATH}: a connection test, answered 204")
            return web.Response(status=204, headers={"Allow": "OPTIONS, GET, POST"})
        if request.method in ("GET", "HEAD"):
            return web.Response(text="The demo's webhook receiver: POST signed deliveries here.\n")
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "OPTIONS, GET, POST"})
        return await self._delivery(request)

    async def _delivery(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        # Shown in the terminal: a sender's header may not carry control characters there.
        msg_id = "".join(c for c in headers.get("webhook-id", "(no id)")[:80] if c.isprintable())
        size = f"{len(body):,} bytes of {request.content_type}"
        if self._key is None:
            verdict = "signature not checked (the demo does not know this secret)"
        elif signature_matches(self._key, headers, body):
            verdict = "signature verified"
        else:
            self._report(f"webhook ← POST {msg_id}: {size}; signature does NOT verify: refused")
            return web.json_response({"error": "signature does not verify"}, status=401)
        self.count += 1
        await asyncio.to_thread(self._deliveries.mkdir, parents=True, exist_ok=True)
        suffix = _SUFFIXES.get(request.content_type, ".bin")
        saved = self._deliveries / f"{self.count:04d}{suffix}"
        await asyncio.to_thread(saved.write_bytes, body)
        self._report(f"webhook ← POST {msg_id}: {size}; {verdict}; saved as {saved}")
        return web.Response(status=204)
