"""Background work of a conversation: a connection test, a discovery, following a first pull.

The turn that asks for work answers at once (``data.task``); the work runs as a task outside
the session lock, and its outcome is applied under the lock as the agent's next message, and
published on the session's event feed. A test that passes may chain a discovery in the same
message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from agent import first_pull
from agent.context import TurnContext
from agent.execute import creation_request
from agent.prompts import render
from agent.replies import finish
from agent.steps.select_streams import discovered, discovery_failed
from agent.steps.testing import Outcome, Testing
from agent.streams import catalog_key, compact_catalog
from agent.tasks import EventHub, TaskRunner
from connections.client import ConnectionClient
from connections.errors import (
    ConnectorFailedError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
)
from connections.identity import Identity
from connections.schemas import ConnectionCheckRequest, ConnectorTypeOut
from fsm import State
from sessions import LockProvider, Session, SessionStore, Task

__all__ = ["Background"]

ClientFactory = Callable[[Identity], ConnectionClient]
Types = Callable[[ConnectionClient], Awaitable[list[ConnectorTypeOut]]]
Load = Callable[[Identity, str], Awaitable[Session]]
_WAITING = (State.TEST_CONNECTION, State.DISCOVER_SCHEMA)


class Background:
    """Runs a conversation's slow work and applies its outcome as the next message."""

    def __init__(
        self,
        *,
        store: SessionStore,
        locks: LockProvider,
        client_for: ClientFactory,
        types: Types,
        load: Load,
        tasks: TaskRunner,
        events: EventHub,
        timeout: float,
    ) -> None:
        self._store = store
        self._locks = locks
        self._client_for = client_for
        self._types = types
        self._load = load
        self.tasks = tasks
        self.events = events
        self._timeout = timeout

    def start(self, who: Identity, session_id: str, ctx: TurnContext) -> None:
        """Start the work the turn asked for (``ctx.start_task``)."""
        if ctx.start_task == "pull" and ctx.pull is not None:
            # Under its own key: messages do not wait for a pull, and "cancel" does not stop it.
            source_id, sync_id = ctx.pull
            self.tasks.start(
                f"{session_id}:pull", self._follow_pull(who, session_id, source_id, sync_id)
            )
        elif ctx.start_task == "test":
            self.tasks.start(session_id, self._test(who, session_id))
        elif ctx.start_task == "discover":
            self.tasks.start(session_id, self._discover(who, session_id))

    async def _context(self, who: Identity, session_id: str) -> TurnContext:
        client = self._client_for(who)
        session = await self._load(who, session_id)
        return TurnContext(session=session, client=client, types=await self._types(client))

    async def _test(self, who: Identity, session_id: str) -> None:
        ctx = await self._context(who, session_id)
        outcome = await self._check(ctx)
        chained = await self._after(who, session_id, lambda c: Testing.outcome(c, outcome))
        if chained:
            self.tasks.start(session_id, self._discover(who, session_id))

    async def _check(self, ctx: TurnContext) -> Outcome:
        try:
            result = await asyncio.wait_for(
                ctx.client.check(ctx.session.agent_id or "", _request(ctx)), self._timeout
            )
        except TimeoutError:
            return Outcome(ok=False, failure="timeout", field=None, message=render("test_slow"))
        except PermissionDeniedError:
            message = render("errors/permission")
            return Outcome(ok=False, failure="permission_denied", field=None, message=message)
        except ConnectorFailedError as exc:
            return Outcome(
                ok=False, failure=exc.failure.value, field=exc.field, message=exc.message
            )
        except ServiceError as exc:
            return Outcome(ok=False, failure=exc.code, field=exc.field, message=exc.message)
        return Outcome(
            ok=result.ok,
            failure=result.failure,
            field=result.field,
            message=result.message,
            details=result.details,
        )

    async def _discover(self, who: Identity, session_id: str) -> None:
        ctx = await self._context(who, session_id)
        session = ctx.session
        request = _request(ctx)
        key = catalog_key(
            {
                "tenant": session.tenant_id,
                "request": request.model_dump(mode="json"),
                "masks": session.secret_masks,
            }
        )
        kept = session.catalog or {}
        if kept.get("key") == key and "streams" in kept:
            # Back and forth in the chat: what was discovered for these settings still holds.
            streams = list(kept["streams"])
            await self._after(who, session_id, lambda c: _found(c, streams, key))
            return
        try:
            catalog = await asyncio.wait_for(
                ctx.client.discover(session.agent_id or "", request), self._timeout
            )
        except (TimeoutError, ServiceError) as exc:
            message = getattr(exc, "message", render("discovery_slow"))
            await self._after(who, session_id, lambda c: _failed(c, message))
            return
        compact = compact_catalog(catalog.streams)
        await self._after(who, session_id, lambda c: _found(c, compact, key))

    async def _follow_pull(
        self, who: Identity, session_id: str, source_id: str, sync_id: str
    ) -> None:
        client = self._client_for(who)
        try:
            session = await self._load(who, session_id)
        except NotFoundError:
            return  # the session was deleted: the sync's record stays with the source
        try:
            sync = await first_pull.wait(client, session.agent_id or "", source_id, sync_id)
        except ServiceError:
            sync = None
        await self._after(
            who,
            session_id,
            lambda c: first_pull.report(c, source_id, sync_id, sync),
            states=(State.DONE,),
        )

    async def _after(
        self,
        who: Identity,
        session_id: str,
        apply: Callable[[TurnContext], bool],
        *,
        states: tuple[State, ...] = _WAITING,
    ) -> bool:
        """Apply a task's outcome under the session lock as the agent's next message."""
        async with self._locks.hold(session_id):
            session = await self._store.get(session_id)
            if session is None or session.state not in {s.value for s in states}:
                return False  # cancelled or moved on meanwhile
            client = self._client_for(who)
            ctx = TurnContext(session=session, client=client, types=await self._types(client))
            chained = apply(ctx)
            # A chained discovery shows as work in progress in this very reply.
            session.task = (
                Task(id=f"{session.id}:discover", step="discover schema") if chained else None
            )
            reply = finish(ctx, user_text=None)
            await self._store.save(session)
        self.events.publish(session_id, {"type": "reply", "reply": reply.model_dump(mode="json")})
        return chained


def _request(ctx: TurnContext) -> ConnectionCheckRequest:
    body = creation_request(ctx)
    return ConnectionCheckRequest(
        type=body.type,
        role=body.role,
        config=body.config,
        secret=body.secret,
        secret_ref=body.secret_ref,
    )


def _found(ctx: TurnContext, streams: list[dict[str, Any]], key: str) -> bool:
    discovered(ctx, streams, key)
    return False


def _failed(ctx: TurnContext, message: str) -> bool:
    discovery_failed(ctx, message)
    return False
