"""Outbound deliveries: a signed POST of a result file, with bounded retries.

Retried: 5xx, 408, 429, timeouts and connection failures. Re-sending is safe because every
attempt carries the same ``webhook-id``, by which receivers de-duplicate; only the
timestamp and signature are fresh. A ``Retry-After`` answer is honoured up to a cap.
Not retried: redirects, 410 (the receiver is gone), other 4xx, TLS and guard refusals,
since none of them changes by waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from connectors.base import Delivery
from connectors.errors import ConnectorError
from connectors.results import WriteResult
from connectors.spec import DataFormat
from connectors.webhook._http import (
    is_success,
    retry_after_seconds,
    status_error,
    timeout_of,
    translate_http_errors,
)
from connectors.webhook.config import display_url
from connectors.webhook.signing import WebhookSigner

__all__ = ["CONTENT_TYPES", "DeliveryPolicy", "deliver"]

log = structlog.get_logger(__name__)

CONTENT_TYPES = {
    DataFormat.CSV: "text/csv; charset=utf-8",
    DataFormat.JSON: "application/json",
    DataFormat.NDJSON: "application/x-ndjson",
    DataFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_CHUNK = 1 << 16


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard a sink ``write`` tries before it reports a failure.

    Attributes:
        max_attempts: Attempts in total, the first included.
        backoff_base: Seconds before the first retry; doubled for each further one.
        backoff_max: Longest wait computed by backoff.
        retry_after_cap: Longest wait a receiver's ``Retry-After`` can impose.
    """

    max_attempts: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    retry_after_cap: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.backoff_base, self.backoff_max, self.retry_after_cap) < 0:
            raise ValueError("waits cannot be negative")


class _RetryableError(Exception):
    """An attempt failed in a way that waiting may fix; carries the classified error."""

    def __init__(self, error: ConnectorError, retry_after: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Request:
    url: str
    headers: dict[str, str]
    has_auth: bool
    delivery: Delivery
    size: int


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    body = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(body.read, _CHUNK):
            yield chunk
    finally:
        body.close()


async def _attempt(
    client: httpx.AsyncClient, request: _Request, signer: WebhookSigner, attempt: int
) -> int:
    """POST once; return the 2xx status or raise (``_RetryableError`` if worth retrying)."""
    delivery = request.delivery
    timestamp = int(time.time())
    signature = await asyncio.to_thread(
        signer.sign_file, delivery.delivery_id, timestamp, delivery.path
    )
    headers = {
        **request.headers,
        **signer.headers(delivery.delivery_id, timestamp, signature),
        "Content-Type": CONTENT_TYPES[delivery.format],
        # An explicit length keeps httpx from chunking: some receivers refuse chunked bodies.
        "Content-Length": str(request.size),
    }
    try:
        with translate_http_errors(request.url, timeout=timeout_of(client)):
            async with client.stream(
                "POST", request.url, headers=headers, content=_file_chunks(delivery.path)
            ) as response:
                # The receiver's body is never read: it is not ours to keep.
                status = response.status_code
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
                error = (
                    None
                    if is_success(status)
                    else status_error(
                        response, url=request.url, has_auth=request.has_auth, delivery=True
                    )
                )
    except ConnectorError as exc:
        log.info(
            "webhook_delivery_attempt_failed",
            url=display_url(request.url),
            attempt=attempt,
            failure=exc.failure,
        )
        if exc.retryable:
            raise _RetryableError(exc) from exc
        raise
    log.info(
        "webhook_delivery_attempt",
        url=display_url(request.url),
        attempt=attempt,
        status=status,
        delivery_id=delivery.delivery_id,
    )
    if error is None:
        return status
    if error.retryable:
        raise _RetryableError(error, retry_after)
    raise error


def _waiter(policy: DeliveryPolicy) -> Callable[[RetryCallState], float]:
    backoff = wait_exponential(multiplier=policy.backoff_base, max=policy.backoff_max)
    # A little jitter, so sinks that failed together do not retry in lockstep.
    jitter = wait_random(0, policy.backoff_base / 4)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableError) and exc.retry_after is not None:
            return min(exc.retry_after, policy.retry_after_cap)
        return float(backoff(state) + jitter(state))

    return wait


async def deliver(
    client: httpx.AsyncClient,
    *,
    url: str,
    headers: dict[str, str],
    has_auth: bool,
    signer: WebhookSigner,
    delivery: Delivery,
    policy: DeliveryPolicy,
) -> WriteResult:
    """POST ``delivery`` to ``url``, signed, retrying within ``policy``.

    Raises:
        ConnectorError: The last attempt's classified failure; when retries ran out, the
            message says after how many attempts.
    """
    size = (await asyncio.to_thread(delivery.path.stat)).st_size
    request = _Request(url, headers, has_auth, delivery, size)
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.max_attempts),
        wait=_waiter(policy),
        retry=retry_if_exception_type(_RetryableError),
        reraise=True,
    )
    attempts = 0
    try:
        async for attempt in retrying:
            with attempt:
                attempts = attempt.retry_state.attempt_number
                status = await _attempt(client, request, signer, attempts)
    except _RetryableError as exc:
        error = exc.error
        raise type(error)(
            f"{error.message} Gave up after {attempts} attempt(s).",
            failure=error.failure,
            field=error.field,
        ) from error
    return WriteResult(
        location=display_url(url), bytes_written=size, attempts=attempts, status_code=status
    )
