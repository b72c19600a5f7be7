"""EXECUTE: create what the conversation described, once, and say what did and didn't happen.

The request carries the idempotency key ``{session_id}:{hash of the request}``, so
confirming twice creates one source and confirming after an edit creates the edited one. If
the schedule or the first pull cannot start, the source still exists and the reply says so.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from agent import first_pull
from agent.context import TurnContext
from agent.flow import FlowError, move
from agent.naming import ask_for_another_name, proposed_name
from agent.prompts import render
from connections.errors import (
    CheckFailedError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
)
from connections.schemas import DataSourceCreate
from core.roles import Role
from fsm import Event
from sessions import Created, Schedule

__all__ = ["creation_request", "execute", "idempotency_key"]


async def execute(ctx: TurnContext) -> None:
    """Create the source or sink (idempotent per answers); report the outcome.

    A name taken meanwhile becomes a question; any other failure leaves the conversation at
    the review with the reason. ``ctx.agent_gone`` tells the engine its agent vanished.
    """
    body = creation_request(ctx)
    key = idempotency_key(ctx, body)
    try:
        created = await ctx.client.create_source(
            ctx.session.agent_id or "", body, idempotency_key=key
        )
    except PermissionDeniedError:
        move(ctx, Event.EXECUTE_FAILED)
        ctx.say(render("errors/permission"))
        return
    except ConflictError as exc:
        move(ctx, Event.EXECUTE_FAILED)
        if exc.field != "name":
            raise FlowError(exc.message) from None
        ask_for_another_name(ctx, body.name)
        return
    except CheckFailedError as exc:
        move(ctx, Event.EXECUTE_FAILED)
        advice = 'Say "change the …" to fix it, or "cancel".'
        ctx.say(render("errors/execute_failed", message=exc.message, advice=advice))
        return
    except ServiceError as exc:
        # The agent may have been deleted: the next session looks it up afresh.
        ctx.agent_gone = isinstance(exc, NotFoundError)
        move(ctx, Event.EXECUTE_FAILED)
        advice = 'Say "yes" to try again.'
        ctx.say(render("errors/execute_failed", message=exc.message, advice=advice))
        return
    ctx.session.secret_refs = {}  # attached to the source now; nothing staged remains
    ctx.session.result = Created(id=created.id, name=created.name, status=created.status)
    move(ctx, Event.EXECUTED)
    notes = []
    if ctx.is_sink:
        notes.append(render("sink_push_note", auto_push=created.auto_push_on_job_complete))
    elif created.schedule_cron:
        schedule = ctx.session.schedule or Schedule()
        words = schedule.description or created.schedule_cron
        zone = created.schedule_timezone
        notes.append(render("schedule_note", words=words, zone=None if zone == "UTC" else zone))
    else:
        notes.append(render("schedule_note", words=None, zone=None))
    if not ctx.is_sink:
        notes.append(await first_pull.start(ctx, created.id))
    ctx.say(
        render("executed", name=created.name, status=created.status, id=created.id, notes=notes)
    )
    ctx.options = ["Start over"]


def creation_request(ctx: TurnContext) -> DataSourceCreate:
    """The REST body that creates what the conversation described."""
    session = ctx.session
    fields = {f.name: f for f in ctx.fields()}
    config: dict[str, Any] = {}
    credential: dict[str, str] = {}
    for name, value in session.answers.items():
        spec = fields.get(name)
        if spec is None or value in (None, ""):
            continue
        (credential if spec.credential else config)[name] = value
    schedule = session.schedule or Schedule()
    refs = sorted(set(session.secret_refs.values()))
    return DataSourceCreate(
        role=Role(session.role or Role.INVENTORY_SOURCE.value),
        type=session.connector_type or "",
        name=proposed_name(ctx, confirmed=True),
        config=config,
        secret=credential or None,
        secret_ref=refs[0] if refs else None,
        schedule_cron=None if ctx.is_sink else schedule.cron,
        schedule_timezone=schedule.timezone or "UTC",
        selected_streams=None if ctx.is_sink else session.selected_streams,
        auto_push_on_job_complete=schedule.auto_push if ctx.is_sink else None,
        retry_failed_push=schedule.retries if ctx.is_sink else None,
    )


def idempotency_key(ctx: TurnContext, body: DataSourceCreate) -> str:
    """The EXECUTE idempotency key: ``{session_id}:{hash of the request}``.

    Confirming twice creates one source; confirming after an edit creates the edited one.
    """
    digest = hashlib.sha256(
        json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()[:32]
    return f"{ctx.session.id}:{digest}"
