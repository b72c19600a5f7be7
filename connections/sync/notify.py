"""Telling an agent's notification channels that a source was paused.

Two kinds of channel: a Slack incoming webhook gets ``POST {"text": …}``; an HTTPS webhook
gets the notice as JSON, signed with Standard Webhooks headers (``webhook-id``,
``webhook-timestamp``, ``webhook-signature``) under the channel's signing secret. Channel
URLs are credentials (anyone holding a Slack webhook URL can post), so they come from the
vault and never reach a log: logs name the channel id and kind only. Every request goes
through the connection guard. A channel that fails is logged and does not stop the others.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping

import httpx
import structlog
from pydantic import SecretStr
from sqlalchemy import select

from connections.db.models import NotificationChannel
from connections.deps import ServiceDeps
from connections.sync.failures import PauseNotice
from connectors.errors import ConnectorError
from connectors.guard import guarded_client
from connectors.webhook import WebhookSigner

__all__ = ["SLACK_WEBHOOK", "WEBHOOK", "Notifier"]

log = structlog.get_logger(__name__)

SLACK_WEBHOOK = "SLACK_WEBHOOK"
WEBHOOK = "WEBHOOK"
_USER_AGENT = "ingestion-agent-notify/0.1"
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class Notifier:
    """Sends notices to channels.

    Args:
        deps: Database, vault and the connector context (guard policy, TLS trust, timeout).
        attempts: Tries per channel when the receiver is unreachable or answers 5xx/429.
        backoff: Seconds before the second try, doubled for each further one.
    """

    def __init__(self, deps: ServiceDeps, *, attempts: int = 3, backoff: float = 0.5) -> None:
        self._deps = deps
        self._attempts = max(1, attempts)
        self._backoff = backoff

    async def notify(self, notice: PauseNotice) -> dict[str, bool]:
        """Send ``notice`` to every channel of its agent; return ``{channel id: delivered}``."""
        async with self._deps.database() as db:
            query = select(NotificationChannel).where(
                NotificationChannel.tenant_id == notice.tenant_id,
                NotificationChannel.agent_id == notice.agent_id,
            )
            channels = list((await db.execute(query)).scalars())
            targets: list[tuple[NotificationChannel, dict[str, str]]] = []
            for channel in channels:
                if channel.secret_id is None:
                    continue
                try:
                    values = await self._deps.vault.reveal(db, notice.tenant_id, channel.secret_id)
                except Exception:  # a broken channel must not stop the others
                    log.exception("notification_channel_unreadable", channel_id=channel.id)
                    continue
                targets.append((channel, values))
        if not targets:
            return {}
        context = self._deps.connector_context
        results: dict[str, bool] = {}
        async with guarded_client(
            context.network,
            verify=context.ssl_context if context.ssl_context is not None else True,
            timeout=context.timeout,
            headers={"User-Agent": _USER_AGENT},
        ) as client:
            for channel, values in targets:
                results[channel.id] = await self._deliver(client, channel, values, notice)
        return results

    async def _deliver(
        self,
        client: httpx.AsyncClient,
        channel: NotificationChannel,
        values: Mapping[str, str],
        notice: PauseNotice,
    ) -> bool:
        url = values.get("url", "")
        if channel.kind == SLACK_WEBHOOK:
            body = json.dumps({"text": notice.text()}).encode()
        else:
            body = json.dumps(notice.payload()).encode()
        reason = ""
        for attempt in range(1, self._attempts + 1):
            headers = {"Content-Type": "application/json"}
            if channel.kind == WEBHOOK and values.get("signing_secret"):
                signer = WebhookSigner(SecretStr(values["signing_secret"]))
                stamp = int(time.time())
                message_id = f"msg_{notice.pending_item_id}"
                headers.update(
                    signer.headers(message_id, stamp, signer.sign(message_id, stamp, [body]))
                )
            try:
                response = await client.post(url, content=body, headers=headers)
            except ConnectorError as exc:  # the guard refused the address: waiting won't help
                reason = exc.failure.value
                break
            except httpx.HTTPError as exc:
                reason = type(exc).__name__
            else:
                if 200 <= response.status_code < 300:
                    log.info(
                        "notification_sent",
                        channel_id=channel.id,
                        kind=channel.kind,
                        status=response.status_code,
                        attempt=attempt,
                    )
                    return True
                reason = f"HTTP {response.status_code}"
                if response.status_code not in _RETRY_STATUSES:
                    break
            if attempt < self._attempts:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        log.warning("notification_failed", channel_id=channel.id, kind=channel.kind, reason=reason)
        return False
