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
from connections.schemas import CatalogOut, DataSourceCreate
from connectors.spec import Role
from fsm import Event

__all__ = [
    "PAGE_SIZE",
    "choose_streams",
    "configure_schedule",
    "configure_sink",
    "creation_request",
    "idempotency_key",
    "review",
    "show_streams",
]

PAGE_SIZE = 20
_RETRIES = re.compile(r"\b(?:retry|retries|try)\b\D*(\d+|once|twice|three times)", re.IGNORECASE)
_WORDS = {"once": 1, "twice": 2, "three times": 3}


def show_streams(ctx: TurnContext, catalog: CatalogOut, *, page: int = 1) -> None:
    """List what discovery found, a page at a time."""
    streams = catalog.streams
    ctx.session.catalog = {"streams": streams}
    if not streams:
        ctx.say(render("zero_streams", target=target_of(ctx), causes=_causes(ctx)))
        return
    pages = max(1, -(-len(streams) // PAGE_SIZE))
    first = (page - 1) * PAGE_SIZE
    shown = [
        {"number": first + i + 1, "name": s["name"], "summary": _stream_summary(s)}
        for i, s in enumerate(streams[first : first + PAGE_SIZE])
    ]
    example = "public.*" if "." in streams[0]["name"] else f"{streams[0]['name'][:3]}*"
    ctx.say(
        render(
            "streams",
            total=len(streams),
            shown=shown,
            page=page,
            pages=pages,
            pattern_example=example,
        )
    )
    ctx.options = ["All", *[str(s["number"]) for s in shown[:8]]]
    ctx.data["input_type"] = "multi_choice"


def _causes(ctx: TurnContext) -> list[str]:
    from agent.advice import zero_stream_causes  # noqa: PLC0415 - keep the module graph flat

    return zero_stream_causes(ctx.session.connector_type or "")


def _stream_summary(stream: dict[str, Any]) -> str:
    columns = stream.get("columns") or []
    names = ", ".join(c["name"] for c in columns[:3])
    more = ", …" if len(columns) > 3 else ""
    parts = [f"{len(columns)} columns ({names}{more})" if columns else "columns unknown"]
    if stream.get("fileCount"):
        parts.append(f"{stream['fileCount']} files")
    if stream.get("recordEstimate"):
        parts.append(f"~{stream['recordEstimate']:,} rows")
    return ", ".join(parts)


def choose_streams(ctx: TurnContext, text: str) -> None:
    """Take a stream selection and ask for the schedule."""
    names = [s["name"] for s in (ctx.session.catalog or {}).get("streams", [])]
    try:
        selection = parsing.parse_stream_selection(text, names)
    except parsing.SelectionError as exc:
        raise FlowError(render("errors/selection", message=str(exc))) from None
    chosen = list(selection.names)
    if not chosen:
        raise FlowError('Pick at least one stream, or say "all".')
    ctx.session.selected_streams = chosen
    move(ctx, Event.STREAMS_CHOSEN)
    ctx.say(render("streams_chosen", count=len(chosen), names=_shorten(chosen)))
    ctx.say(render("ask_schedule", default=ctx.data.get("_agent_cron")))
    ctx.options = ["Every 6 hours", "Daily at 2am", "Hourly", "Manual"]


def _shorten(names: list[str], limit: int = 8) -> list[str]:
    return names if len(names) <= limit else [*names[:limit], f"{len(names) - limit} more"]


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
        lines.append("Streams: " + ", ".join(_shorten(session.selected_streams)))
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
        if spec is None or name == "name":
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
