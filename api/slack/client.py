"""The Slack Web API calls the relay makes, each logged and never raising.

A failed call (Slack down, a revoked token, a channel the app left) must not break the
conversation: it is logged as ``slack_call_failed`` with the method and Slack's error code
only (never the token, never the message), and the caller learns ``False``.
``slack_sdk`` itself logs request headers with the token replaced by ``(redacted)``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import structlog
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from api.slack.blocks import SlackMessage
from api.slack.threads import ThreadKey

__all__ = ["SlackApi"]

log = structlog.get_logger(__name__)
_TIMEOUT = 10  # seconds per call; Slack answers in well under one


class SlackApi:
    """``chat.postMessage``, ``chat.postEphemeral``, ``views.open`` and ``auth.test``.

    Args:
        client: A ``slack_sdk`` async client holding the bot token.

    Example::

        api = SlackApi.create(token, "https://slack.com/api/", session)
        await api.post(thread, text_message("Hello"))
    """

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._bot_user: str | None = None
        self._who_lock = asyncio.Lock()

    @classmethod
    def create(cls, token: str, base_url: str, session: aiohttp.ClientSession) -> SlackApi:
        """A client for ``base_url`` (Slack's, or a stand-in's) over ``session``."""
        return cls(
            AsyncWebClient(token=token, base_url=base_url, session=session, timeout=_TIMEOUT)
        )

    async def _call(self, method: str, **arguments: Any) -> dict[str, Any] | None:
        try:
            response = await self._client.api_call(method, json=arguments or None)
        except SlackApiError as exc:
            code = exc.response.get("error") if exc.response is not None else None
            log.warning("slack_call_failed", method=method, error=str(code or "unknown"))
            return None
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("slack_call_failed", method=method, error=type(exc).__name__)
            return None
        data = response.data
        return data if isinstance(data, dict) else {}

    async def bot_user(self) -> str | None:
        """Our bot's user id (``auth.test``, asked once), so we can ignore our own messages."""
        if self._bot_user is None:
            async with self._who_lock:
                if self._bot_user is None:
                    found = await self._call("auth.test")
                    user = (found or {}).get("user_id")
                    self._bot_user = user if isinstance(user, str) and user else None
        return self._bot_user

    async def post(self, thread: ThreadKey, message: SlackMessage) -> bool:
        """Post ``message`` as a reply in ``thread``."""
        found = await self._call(
            "chat.postMessage",
            channel=thread.channel,
            thread_ts=thread.thread_ts,
            text=message.text,
            blocks=message.blocks,
        )
        return found is not None

    async def ephemeral(self, thread: ThreadKey, user: str, text: str) -> bool:
        """Show ``text`` to ``user`` alone, in ``thread``."""
        found = await self._call(
            "chat.postEphemeral",
            channel=thread.channel,
            thread_ts=thread.thread_ts,
            user=user,
            text=text,
        )
        return found is not None

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> bool:
        """Open a modal for the person whose click gave ``trigger_id``."""
        return await self._call("views.open", trigger_id=trigger_id, view=view) is not None
