"""The later steps: streams, schedule (or a sink's push rule), review, and creating it."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from agent import parsing
from agent.context import TurnContext
from agent.flow import FlowError, move, target_of
from agent.naming import proposed_name
from agent.prompts import render
from agent.streams import shorten
from connections.schemas import DataSourceCreate
from core.roles import Role
from core.wording import plural
from fsm import Event

__all__ = [
    "configure_schedule",
    "configure_sink",
    "creation_request",
    "idempotency_key",
    "review",
]

TIMEZONE = "timezone"
"""The open question after a schedule with a time of day."""
_RETRIES = re.compile(r"\b(?:retry|retries|try)\b\D*(\d+|once|twice|three times)", re.IGNORECASE)
_WORDS = {"once": 1, "twice": 2, "three times": 3}


def configure_schedule(ctx: TurnContext, text: str) -> None:
    """A source's schedule from a cron line or words, echoed back in words.

    A time of day ("daily at 2am") needs a time zone: one named with it is taken ("daily at
    2am Europe/Berlin"), otherwise the agent asks, proposing UTC.
    """
    session = ctx.session
    zone, rest = parsing.find_timezone(text)
    default = ctx.data.get("_agent_cron")
    if rest.strip().lower() in {"default", "the default"} and default:
        rest = str(default)
    try:
        schedule = parsing.parse_schedule(rest)
    except parsing.ScheduleError as exc:
        if session.asked != TIMEZONE or not session.schedule:
            raise FlowError(render("errors/schedule", message=str(exc))) from None
        if zone is None and parsing.parse_yes_no(rest) is not True:
            raise FlowError(
                'Which time zone? For example "UTC", "Europe/Berlin" or "New York".'
            ) from None
        # The answer to "in which time zone?" ("Berlin", "yes" for UTC).
        session.schedule = {**session.schedule, "timezone": zone or "UTC"}
        session.asked = None
        move(ctx, Event.SYNC_CONFIGURED)
        review(ctx)
        return
    session.schedule = {"cron": schedule.cron, "description": schedule.description}
    if zone is None and _has_time_of_day(schedule.cron):
        session.asked = TIMEZONE
        ctx.say(f"{_capital(schedule.description)}: in which time zone? UTC unless you say.")
        ctx.options = ["UTC", "Europe/London", "America/New_York", "Asia/Tokyo"]
        return
    session.schedule["timezone"] = zone or "UTC"
    session.asked = None
    move(ctx, Event.SYNC_CONFIGURED)
    review(ctx)


def _has_time_of_day(cron: str | None) -> bool:
    """Whether a cron line fires at set clock times (its minute and hour are plain numbers)."""
    if not cron:
        return False
    minute, hour = cron.split()[:2]
    return all(part.isdigit() for part in f"{minute},{hour}".split(","))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    """Show everything, secrets masked, one line each, and ask to create."""
    session = ctx.session
    connector = ctx.connector
    label = connector.label if connector else session.connector_type
    session.proposed_name = proposed_name(ctx)
    lines = [f'Name: "{session.proposed_name}"', f"{label} · {target_of(ctx)}"]
    lines += [
        f"{f.label}: {_shown(f.name, session.answers[f.name])}"
        for f in ctx.fields()
        if f.name in session.answers and not f.secret and f.name not in _IN_TARGET
    ]
    secrets = [f"{ctx.label(n)} {m}" for n, m in session.secret_masks.items()]
    secrets += [
        f"{f.label.lower()}: none" for f in ctx.fields() if f.secret and f.name in session.answers
    ]
    if secrets:
        lines.append("Secrets: " + ", ".join(secrets))
    schedule = session.schedule or {}
    summary = ""
    if ctx.is_sink:
        push = "auto-push on" if schedule.get("auto_push") else "auto-push off"
        retries = schedule.get("retries")
        lines.append(push + (f" · {plural(retries, 'retry', 'retries')}" if retries else ""))
    else:
        lines.append("Streams: " + ", ".join(shorten(session.selected_streams)))
        words = schedule.get("description") or "manual"
        if schedule.get("cron"):
            zone = schedule.get("timezone") or "UTC"
            summary = f"{_capital(words)} ({schedule['cron']}, {zone})"
            lines.append(f"Schedule: {words}, {zone}")
        else:
            summary = _capital(words)
            lines.append(f"Schedule: {words}")
    ctx.say(
        render(
            "review",
            schedule=summary,
            lines=lines,
            is_sink=ctx.is_sink,
            edit_example="region" if session.connector_type == "S3" else "port",
        )
    )
    ctx.options = ["Create", "Change something", "Cancel"]


# Shown in the review's target line already.
_IN_TARGET = frozenset({"bucket", "prefix", "url", "host", "port"})


def _shown(name: str, value: Any) -> str:
    """An answer as a person reads it: no Python dicts or lists."""
    if isinstance(value, dict):
        return ", ".join(f"{k} → {v}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    if value == "" and name == "schemas":
        return "all"
    return str(value)


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
        name=proposed_name(ctx, confirmed=True),
        config=config,
        secret=credential or None,
        secret_ref=refs[0] if refs else None,
        schedule_cron=None if ctx.is_sink else schedule.get("cron"),
        schedule_timezone=schedule.get("timezone") or "UTC",
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
