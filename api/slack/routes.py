"""``POST /slack/events`` and ``POST /slack/interactivity``: verify, acknowledge, hand over.

Slack wants an answer within three seconds and retries otherwise, so a handler only checks
the signature, answers ``url_verification``, drops a retried event, and starts the real work
as a background task of the relay. The routes exist only when both the signing secret and
the bot token are configured; otherwise they are 404 like any unknown path.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import redis.asyncio as aioredis
import structlog
from aiohttp import web

from api.errors import ApiError
from api.routes.sessions import ENGINE_KEY
from api.settings import Settings
from api.slack.client import SlackApi
from api.slack.dedup import MemorySeen, RedisSeen, SeenSet
from api.slack.events import clicks_from, message_from, submission_from
from api.slack.identity import SlackPeople
from api.slack.relay import SlackRelay
from api.slack.threads import MemoryThreads, RedisThreads, ThreadStore
from api.slack.verify import SlackVerifier

__all__ = ["EVENTS_PATH", "INTERACTIVITY_PATH", "RELAY_KEY", "install_slack"]

log = structlog.get_logger(__name__)

EVENTS_PATH = "/slack/events"
INTERACTIVITY_PATH = "/slack/interactivity"
RELAY_KEY = web.AppKey("slack_relay", SlackRelay)
_VERIFIER_KEY = web.AppKey("slack_verifier", SlackVerifier)


def _payload(raw: str | bytes) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "invalid_payload", "The body is not a Slack payload.") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_payload", "The body is not a Slack payload.")
    return payload


async def _verified_body(request: web.Request) -> bytes:
    body = await request.read()
    request.app[_VERIFIER_KEY].check(body, request.headers)
    return body


async def slack_events(request: web.Request) -> web.Response:
    """The Events API endpoint: ``url_verification`` and ``event_callback``."""
    payload = _payload(await _verified_body(request))
    kind = payload.get("type")
    if kind == "url_verification":
        return web.json_response({"challenge": str(payload.get("challenge", ""))})
    if kind != "event_callback":
        return web.Response(status=200)
    relay = request.app[RELAY_KEY]
    event_id = str(payload.get("event_id") or "")
    if event_id and not await relay.first_delivery(event_id):
        log.info(
            "slack_retry_ignored",
            event_id=event_id,
            retry=request.headers.get("X-Slack-Retry-Num"),
            reason=request.headers.get("X-Slack-Retry-Reason"),
        )
        return web.Response(status=200)
    message = message_from(payload)
    if message is not None:
        relay.spawn(relay.on_message(message))
    return web.Response(status=200)


async def slack_interactivity(request: web.Request) -> web.Response:
    """The interactivity endpoint: button clicks and the secret form's submission.

    An empty 200 closes a submitted modal; the values go to the session in the background.
    """
    body = await _verified_body(request)
    try:
        form = parse_qs(body.decode(), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "invalid_payload", "The body is not a Slack payload.") from None
    payload = _payload(form.get("payload", ["{}"])[0])
    relay = request.app[RELAY_KEY]
    for click in clicks_from(payload):
        relay.spawn(relay.on_click(click))
    submission = submission_from(payload)
    if submission is not None:
        relay.spawn(relay.on_submission(submission))
    return web.Response(status=200)


def _stores(settings: Settings) -> tuple[ThreadStore, SeenSet, aioredis.Redis | None]:
    """Redis-backed when ``redis_url`` is set (many processes agree), else in memory."""
    if settings.redis_url is None:
        return MemoryThreads(), MemorySeen(), None
    client = aioredis.Redis.from_url(settings.redis_url.get_secret_value())
    prefix = settings.redis_names.slack
    return RedisThreads(client, prefix=prefix), RedisSeen(client, prefix=prefix), client


def _relay_context(
    settings: Settings, token: str, people: SlackPeople
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        threads, seen, redis_client = _stores(settings)
        session = aiohttp.ClientSession()
        relay = SlackRelay(
            engine=app[ENGINE_KEY],
            api=SlackApi.create(token, settings.slack_api_url, session),
            people=people,
            threads=threads,
            seen=seen,
        )
        app[RELAY_KEY] = relay
        yield
        await relay.aclose()
        await session.close()
        if redis_client is not None:
            await redis_client.aclose()

    return context


def install_slack(app: web.Application, settings: Settings) -> None:
    """Add the Slack relay's routes and lifecycle, if Slack is configured.

    Call after the conversation engine's cleanup context is added: the relay starts after
    the engine and stops before it.

    Raises:
        ValueError: The Slack tenant or roles are not valid names.
    """
    if settings.slack_signing_secret is None or settings.slack_bot_token is None:
        return
    people = SlackPeople(
        tenant=settings.slack_tenant, roles=settings.slack_roles, role_map=settings.roles
    )
    app[_VERIFIER_KEY] = SlackVerifier(settings.slack_signing_secret.get_secret_value())
    app.router.add_post(EVENTS_PATH, slack_events)
    app.router.add_post(INTERACTIVITY_PATH, slack_interactivity)
    token = settings.slack_bot_token.get_secret_value()
    app.cleanup_ctx.append(_relay_context(settings, token, people))
