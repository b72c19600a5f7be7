"""The later steps: streams, schedule (or a sink's push rule), review, and creating it."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from agent import parsing
from agent.context import TurnContext
from agent.flow import FlowError, move, target_of
from agent.prompts import render
from agent.streams import shorten
from connections.schemas import DataSourceCreate
from connectors.spec import Role
from fsm import Event

__all__ = [
    "configure_schedule",
    "configure_sink",
    "creation_request",
    "idempotency_key",
    "review",
]

_RETRIES = re.compile(r"\b(?:retry|retries|try)\b\D*(\d+|once|twice|three times)", re.IGNORECASE)
_WORDS = {"once": 1, "twice": 2, "three times": 3}


def configure_schedule(ctx: TurnContext, text: str) -> None:
    """A source's schedule from a cron line or words, echoed back in words."""
    default = ctx.data.get("_agent_cron")
    if text.strip().lower() in {"default", "the default"} and default:
        text = str(default)
    try:
        schedule = parsing.parse_schedule(text)
    except parsing.ScheduleError as exc:
        raise FlowError(render("errors/schedule", message=str(exc))) from None
    ctx.session.schedule = {"cron": schedule.cron, "description": schedule.description}
    move(ctx, Event.SYNC_CONFIGURED)
    review(ctx)


def configure_sink(ctx: TurnContext, text: str) -> None:
    """A sink's push rule: auto-push on job completion (off unless said), and retries."""
    answer = parsing.parse_yes_no(text)
    if answer is None:
        raise FlowError(
            'Should results be pushed automatically when a job completes? ("yes" or "no")'
        )
    retries = None
    match = _RETRIES.search(text)
    if match:
        word = match.group(1).lower()
        retries = _WORDS.get(word) if not word.isdigit() else int(word)
    ctx.session.schedule = {"auto_push": answer, "retries": retries}
    move(ctx, Event.SYNC_CONFIGURED)
    review(ctx)


def review(ctx: TurnContext) -> None:
    """Show everything, secrets masked, and ask to create."""
    session = ctx.session
    connector = ctx.connector
    label = connector.label if connector else session.connector_type
    lines = [f"{label} · {target_of(ctx)}"]
    shown = [
        f"{f.label}: {session.answers[f.name]}"
        for f in ctx.fields()
        if f.name in session.answers and not f.secret and f.name not in {"bucket", "prefix", "url"}
    ]
    if shown:
        lines.append(" · ".join(shown))
    masks = [f"{ctx.label(n)} {m}" for n, m in session.secret_masks.items()]
    if masks:
        lines.append("Secrets: " + ", ".join(masks))
    schedule = session.schedule or {}
    summary = ""
    if ctx.is_sink:
        push = "auto-push on" if schedule.get("auto_push") else "auto-push off"
        retries = schedule.get("retries")
        lines.append(push + (f" · {retries} retries" if retries is not None else ""))
    else:
        lines.append("Streams: " + ", ".join(shorten(session.selected_streams)))
        summary = schedule.get("description") or "Manual"
        if schedule.get("cron"):
            summary = f"{summary[:1].upper()}{summary[1:]} ({schedule['cron']})"
        lines.append(f"Schedule: {schedule.get('description') or 'manual'}")
    ctx.say(
        render(
            "review",
            schedule=summary,
            lines=lines,
            is_sink=ctx.is_sink,
            edit_example="region" if session.connector_type == "S3" else "name",
        )
    )
    ctx.options = ["Create", "Change something", "Cancel"]


def source_name(ctx: TurnContext) -> str:
    """A proposed name, e.g. "S3 acme-inventory/daily-uploads"."""
    a = ctx.session.answers
    if "name" in a:
        return str(a["name"])
    target = target_of(ctx).removeprefix("s3://").removeprefix("https://").rstrip("/")
    kind = "results" if ctx.is_sink else (ctx.session.connector_type or "").title()
    return f"{kind} {target}"[:200]


def creation_request(ctx: TurnContext) -> DataSourceCreate:
    """The REST body that creates what the conversation described."""
    session = ctx.session
    fields = {f.name: f for f in ctx.fields()}
    config: dict[str, Any] = {}
    credential: dict[str, str] = {}
    for name, value in session.answers.items():
        spec = fields.get(name)
        if spec is None or name == "name" or value in (None, ""):
            continue
        (credential if spec.credential else config)[name] = value
    schedule = session.schedule or {}
    refs = sorted(set(session.secret_refs.values()))
    return DataSourceCreate(
        role=Role(session.role or Role.INVENTORY_SOURCE.value),
        type=session.connector_type or "",
        name=source_name(ctx),
        config=config,
        secret=credential or None,
        secret_ref=refs[0] if refs else None,
        schedule_cron=None if ctx.is_sink else schedule.get("cron"),
        selected_streams=None if ctx.is_sink else session.selected_streams,
        auto_push_on_job_complete=schedule.get("auto_push") if ctx.is_sink else None,
        retry_failed_push=schedule.get("retries") if ctx.is_sink else None,
    )


def idempotency_key(ctx: TurnContext, body: DataSourceCreate) -> str:
    """The EXECUTE idempotency key: ``{session_id}:{hash of the request}``.

    Confirming twice creates one source; confirming after an edit creates the edited one.
    """
    digest = hashlib.sha256(
        json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()[:32]
    return f"{ctx.session.id}:{digest}"
