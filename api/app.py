"""The aiohttp application factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from importlib.metadata import version

import httpx
from aiohttp import web

from agent.engine import ConversationEngine
from agent.prompts import corpus as prompt_corpus
from api import connector_types
from api.auth import Authenticator, HeaderAuthenticator, JwtAuthenticator
from api.dispatch import AUTH_KEY, IDEMPOTENCY_KEY, install
from api.middleware import error_middleware, request_context_middleware
from api.openapi import build_openapi
from api.routes import ALL_ROUTES
from api.routes.common import SERVICE_KEY
from api.routes.sessions import ENGINE_KEY, EVENTS_PATH, events_openapi, session_events
from api.routing import Call, RouteTable
from api.settings import Settings
from api.slack import install_slack
from api.web import install_widget
from connections.client import ConnectionClient, HttpClient
from connections.housekeeping import Housekeeping
from connections.identity import Identity
from connections.runner import Background, start_background
from connections.runtime import Runtime, open_runtime
from connectors.base import ConnectorContext
from connectors.registry import default_registry
from sessions import LockProvider, MemoryStore, RedisStore, SessionLocks, SessionStore

__all__ = [
    "BACKGROUND_KEY",
    "CONNECTOR_CONTEXT_KEY",
    "SETTINGS_KEY",
    "create_app",
    "memory_store",
]

SETTINGS_KEY = web.AppKey("settings", Settings)
CONNECTOR_CONTEXT_KEY = web.AppKey("connector_context", ConnectorContext)
BACKGROUND_KEY = web.AppKey("background", Background)
_MAX_BODY = 1 << 20
_OPENAPI_KEY = web.AppKey("openapi", dict)

meta = RouteTable()


async def _evict_forever(store: SessionStore, interval: float = 300.0) -> None:
    while True:
        await asyncio.sleep(interval)
        await store.evict_expired()


@meta.route("GET", "/healthz", summary="Liveness", tag="meta", response=dict[str, str], public=True)
async def healthz(_call: Call) -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


async def openapi_json(request: web.Request) -> web.Response:
    """The OpenAPI document (generated once per app from the declared routes)."""
    return web.json_response(request.app[_OPENAPI_KEY])


def _authenticator(settings: Settings) -> Authenticator:
    if settings.auth_mode == "jwt" and settings.jwt_key is not None:
        return JwtAuthenticator(
            role_map=settings.roles,
            key=settings.jwt_key.get_secret_value(),
            algorithm=settings.jwt_algorithm,
            audience=settings.jwt_audience,
        )
    return HeaderAuthenticator(role_map=settings.roles)


def memory_store(settings: Settings) -> MemoryStore:
    """The in-memory session store as ``serve`` configures it."""
    return MemoryStore(max_sessions=settings.max_sessions, dictionary=prompt_corpus())


def _sessions(settings: Settings) -> tuple[SessionStore, LockProvider]:
    """Redis store and locks when ``redis_url`` is set (many processes), else in memory."""
    if settings.redis_url is not None:
        names = settings.redis_names
        redis_store = RedisStore.from_url(
            settings.redis_url.get_secret_value(),
            lock_timeout=settings.session_lock_timeout,
            prefix=names.sessions,
            lock_prefix=names.locks,
        )
        # The store is its own lock provider: a turn's lock, read and write share round trips.
        return redis_store, redis_store
    memory = memory_store(settings)
    memory.start_evictor()
    return memory, SessionLocks()


def _client_factory(
    settings: Settings, runtime: Runtime
) -> tuple[Callable[[Identity], ConnectionClient], httpx.AsyncClient | None]:
    """How the chat reaches its connection service, and the HTTP pool to close at the end.

    With ``connection_url`` set, every turn's client talks to that service as the user
    (one pool shared by all users; the identity travels in each request's headers).
    """
    url = settings.connection_url
    if url is None:
        return runtime.client, None
    # Operator configuration, not customer input: the connection guard does not apply.
    pool = httpx.AsyncClient(base_url=url, timeout=60.0, trust_env=False)
    return (lambda who: HttpClient(url, who, http=pool)), pool


async def _connection_service(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS_KEY]
    runtime = await open_runtime(
        database_url=settings.effective_database_url,
        data_dir=settings.data_dir,
        vault_key=settings.vault_key_text,
        connector_context=app[CONNECTOR_CONTEXT_KEY],
        registry=app[connector_types.REGISTRY_KEY],
        inventory=settings.open_inventory(),
        pull_settings=settings.pull_settings,
    )
    app[SERVICE_KEY] = runtime.service
    # Pulls (cron ticks and REST requests), jobs and pushes: in process, or on the queue.
    background = await start_background(runtime.engines, runtime.database, settings.runner_options)
    app[BACKGROUND_KEY] = background
    runtime.service.syncs.submit = background.submit_manual_pull
    app[IDEMPOTENCY_KEY] = runtime.idempotency
    store, locks = _sessions(settings)
    client_for, remote = _client_factory(settings, runtime)
    engine = ConversationEngine(store=store, locks=locks, client_for=client_for)
    app[ENGINE_KEY] = engine
    sweepers = [
        asyncio.create_task(
            Housekeeping(runtime.service, runtime.idempotency).run(), name="housekeeping"
        )
    ]
    if isinstance(store, RedisStore):
        # Redis expires idle sessions itself; this process still forgets their secrets.
        sweepers.append(asyncio.create_task(_evict_forever(store), name="sessions-evictor"))
    yield
    for sweeper in sweepers:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
    await engine.aclose()
    if remote is not None:
        await remote.aclose()
    await store.aclose()
    await background.aclose()
    await runtime.close()


async def _end_event_feeds(app: web.Application) -> None:
    """Shutting down: end open event streams now rather than waiting out their heartbeat."""
    if ENGINE_KEY in app:
        app[ENGINE_KEY].events.close()


def create_app(
    settings: Settings | None = None, *, connector_context: ConnectorContext | None = None
) -> web.Application:
    """Build the application with all routes and middleware.

    ``connector_context`` overrides the one built from settings (tests pass one that
    trusts their own certificate authority).
    """
    settings = settings or Settings()
    settings.register_secrets()
    app = web.Application(
        middlewares=[request_context_middleware, error_middleware], client_max_size=_MAX_BODY
    )
    app[SETTINGS_KEY] = settings
    app[CONNECTOR_CONTEXT_KEY] = connector_context or ConnectorContext(
        network=settings.network_policy
    )
    app[connector_types.REGISTRY_KEY] = default_registry()
    app[AUTH_KEY] = _authenticator(settings)
    tables = (meta, connector_types.routes, *ALL_ROUTES)
    install(app, *tables)
    document = build_openapi(*tables, version=version("ingestion-agent"))
    document["paths"][EVENTS_PATH] = events_openapi()
    # The web chat page and its assets.
    document["paths"].update(install_widget(app, settings.widget_allowed_origins))
    app[_OPENAPI_KEY] = document
    app.router.add_get("/api/openapi.json", openapi_json)
    app.router.add_get(EVENTS_PATH, session_events)
    app.cleanup_ctx.append(_connection_service)
    app.on_shutdown.append(_end_event_feeds)
    install_slack(app, settings)  # after the engine's context: starts after it, stops before
    return app
