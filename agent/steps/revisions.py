"""Edits at the review that keep everything else, and the way back to the review after them.

An edit at the review changes one answer and re-runs only what depends on it:

- a schedule, a sink's auto-push or retries, added or dropped streams: changed in place,
  and the review is shown again;
- a connection setting: tested again (``agent/commands.py``); when the test passes the
  conversation comes straight back to the review, unless the setting changes what there is
  to pull (:data:`RESCOPING`: a prefix, a bucket, a database, a URL), which discovers again;
- the schema scope: discovered again at once.

After a discovery the earlier choice of streams is kept when it still exists ("all" stays
all of what is there now); only when it does not is the stream question asked again, and
its answer also comes back to the review. The session's ``back_to_review`` marks the way
back; showing the review clears it. The steps in between are walked by their own events
(``TEST_PASSED``, ``DISCOVERED``, ``STREAMS_CHOSEN``, ``SYNC_CONFIGURED``), so the state
machine's table still holds every move.
"""

from __future__ import annotations

import re
from typing import Any

from agent import parsing
from agent.context import TurnContext
from agent.flow import FlowError, move
from agent.message import Message
from agent.prompts import render
from agent.steps.discover import SCOPE_FIELD, change_scope, scope_of
from agent.steps.review import review
from agent.streams import cursor_suggestions, shorten
from fsm import EditTarget, Event, State
from sessions import Schedule

__all__ = [
    "RESCOPING",
    "apply_review_edit",
    "mark_rescoped",
    "replace_streams",
    "rescope",
    "resume_after_discovery",
    "resume_after_streams",
    "resume_after_test",
    "set_push",
]

RESCOPING = frozenset({"prefix", "bucket", "database", "url", "records_path", "format"})
"""Connection settings whose change changes what there is to pull: discovered again."""
_STALE = "stale"
_ADD = "add_schemas"


async def apply_review_edit(ctx: TurnContext, edit: parsing.ReviewEdit) -> None:
    """Apply one edit made at the review and go where it leads (mostly: the review again)."""
    kind = parsing.EditKind
    if edit.kind is kind.SCHEDULE:
        await _schedule(ctx, edit.value)
    elif edit.kind is kind.ADD_STREAMS and _add_schemas(ctx, edit.value):
        pass  # a schema left out: discovered, its tables then added to the choice
    elif edit.kind in {kind.ADD_STREAMS, kind.DROP_STREAMS}:
        _streams(ctx, edit.value, add=edit.kind is kind.ADD_STREAMS)
        review(ctx)
    elif edit.kind is kind.SCOPE:
        rescope(ctx, edit.value)
    elif edit.kind is kind.ONLY_STREAMS:
        replace_streams(ctx, edit.value)
    elif edit.kind is kind.USE:
        # "use reporting instead": a schema when it names one, otherwise streams.
        if _names_schemas(ctx, edit.value):
            rescope(ctx, edit.value)
        else:
            replace_streams(ctx, edit.value)
    elif edit.kind is kind.PUSH:
        set_push(ctx, auto_push=bool(edit.flag))
    else:
        set_push(ctx, retries=edit.count)


async def _schedule(ctx: TurnContext, words: str) -> None:
    """A new schedule: answered by the schedule step, which asks a time zone if one is due."""
    from agent.steps import STEPS  # noqa: PLC0415 - the steps import this module's callers

    if ctx.is_sink:
        raise FlowError(render("errors/sink_no_schedule"))
    old = ctx.session.schedule
    zone, _rest = parsing.find_timezone(words)
    if zone is None and old is not None and old.timezone and _has_time_of_day(old.cron):
        # The zone was asked for the old schedule already: a new time of day is meant in it.
        words = f"{words} {old.timezone}"
    move(ctx, Event.EDIT, edit=EditTarget.SCHEDULE)
    try:
        await STEPS[State.CONFIGURE_SYNC].answer(ctx, Message(text=words, shown=words))
    except FlowError:
        if State(ctx.session.state) is State.CONFIGURE_SYNC and old is not None:
            move(ctx, Event.SYNC_CONFIGURED)  # not taken: the review, as it was, stays open
        raise


def _streams(ctx: TurnContext, words: str, *, add: bool) -> None:
    """Add streams to the choice, or drop them from it, from the catalog already found."""
    if ctx.is_sink:
        raise FlowError(render("errors/sink_no_streams"))
    streams: list[dict[str, Any]] = (ctx.session.catalog or {}).get("streams", [])
    names = [s["name"] for s in streams]
    try:
        named = list(parsing.parse_stream_selection(words, names).names)
    except parsing.SelectionError as exc:
        raise FlowError(render("errors/selection", message=str(exc))) from None
    chosen = set(ctx.session.selected_streams)
    if add:
        chosen |= set(named)
    else:
        if not chosen & set(named):
            raise FlowError(render("errors/not_selected", names=shorten(named, 4)))
        chosen -= set(named)
    if not chosen:
        raise FlowError(render("errors/pick_a_stream"))
    ctx.session.selected_streams = [n for n in names if n in chosen]
    _chosen(ctx)


def _add_schemas(ctx: TurnContext, words: str) -> bool:
    """A schema left out of the scope ("add the sales schema too"); False otherwise."""
    scope = scope_of(ctx)
    current = str(ctx.session.answers.get(SCOPE_FIELD) or "")
    if ctx.is_sink or not scope or not current:
        return False  # no scope question, or every schema was discovered already
    low = words.lower()
    left_out = set(scope) - {n.strip() for n in current.split(",")}
    named = [
        n
        for n in scope
        if n in left_out and re.search(rf"(?<![\w.]){re.escape(n.lower())}(?![\w])", low)
    ]
    streams = (ctx.session.catalog or {}).get("streams", [])
    try:
        parsing.parse_stream_selection(words, [s["name"] for s in streams])
    except parsing.SelectionError:
        pass
    else:
        return False  # it names streams already found
    if not named:
        return False
    kept = list(ctx.session.selected_streams)
    ctx.session.back_to_review = True
    change_scope(ctx, ",".join([*current.split(","), *named]))
    ctx.session.selected_streams = kept
    if ctx.session.catalog is not None:
        ctx.session.catalog[_ADD] = named
    return True


def replace_streams(ctx: TurnContext, words: str) -> None:
    """A new choice of streams ("change the streams to orders") from the catalog found."""
    if ctx.is_sink:
        raise FlowError(render("errors/sink_no_streams"))
    streams: list[dict[str, Any]] = (ctx.session.catalog or {}).get("streams", [])
    try:
        named = list(parsing.parse_stream_selection(words, [s["name"] for s in streams]).names)
    except parsing.SelectionError as exc:
        raise FlowError(render("errors/selection", message=str(exc))) from None
    if not named:
        raise FlowError(render("errors/pick_a_stream"))
    ctx.session.selected_streams = named
    _chosen(ctx)
    review(ctx)


def rescope(ctx: TurnContext, words: str) -> None:
    """Another schema scope: discovered again; the earlier choice is kept where it can be."""
    if ctx.is_sink or ctx.field("schemas") is None:
        raise FlowError(render("errors/no_schemas"))
    kept = list(ctx.session.selected_streams)
    ctx.session.back_to_review = True
    change_scope(ctx, words)
    ctx.session.selected_streams = kept  # compared with what the new scope holds


def set_push(
    ctx: TurnContext, *, auto_push: bool | None = None, retries: int | None = None
) -> None:
    """A sink's push rule changed at the review: auto-push on or off, or its retries."""
    if not ctx.is_sink:
        raise FlowError(render("errors/source_no_push"))
    schedule = ctx.session.schedule or Schedule()
    if auto_push is not None:
        schedule = schedule.model_copy(update={"auto_push": auto_push})
        ctx.say(render("setting_changed", label="auto-push", value="on" if auto_push else "off"))
    else:
        schedule = schedule.model_copy(update={"retries": retries})
        ctx.say(render("setting_changed", label="retries", value=retries))
    ctx.session.schedule = schedule
    review(ctx)


def mark_rescoped(ctx: TurnContext, field: str) -> None:
    """A connection setting changed at the review: after its test, come back to the review.

    A setting in :data:`RESCOPING` makes the catalog stale, so the test is followed by a
    discovery; any other setting is only tested.
    """
    ctx.session.back_to_review = True
    if field in RESCOPING and ctx.session.catalog is not None:
        ctx.session.catalog[_STALE] = True


def resume_after_test(ctx: TurnContext) -> bool | None:
    """After a passed test (state moved by ``TEST_PASSED``) on the way back to the review.

    Returns:
        ``None`` when not on the way back, or the catalog is stale (the usual flow goes
        on: discovery); ``False`` when the review is shown again.
    """
    session = ctx.session
    catalog = session.catalog or {}
    if not session.back_to_review:
        return None
    if not ctx.is_sink:
        if catalog.get(_STALE) or not catalog.get("streams") or not session.selected_streams:
            return None
        move(ctx, Event.DISCOVERED)
        move(ctx, Event.STREAMS_CHOSEN)
    move(ctx, Event.SYNC_CONFIGURED)
    review(ctx)
    return False


def resume_after_discovery(ctx: TurnContext, before: dict[str, Any]) -> bool:
    """After a discovery (now at the stream question) on the way back to the review.

    The earlier choice is kept when every stream of it is still there, and "everything"
    stays everything; True when the review was shown, False to ask for streams.
    """
    session = ctx.session
    if not session.back_to_review or before.get("pending"):
        return False
    names = [s["name"] for s in (session.catalog or {}).get("streams", [])]
    old = list(session.selected_streams)
    had = {s["name"] for s in before.get("streams", [])}
    if not names or not old:
        return False
    added = set(before.get(_ADD) or ())
    if had and set(old) >= had:
        session.selected_streams = names  # it was everything: it still is
    elif added and set(old) <= set(names):
        # "Add the sales schema too": its tables join the earlier choice.
        session.selected_streams = [n for n in names if n in old or n.rpartition(".")[0] in added]
    elif not set(old) <= set(names):
        session.selected_streams = []
        return False
    _chosen(ctx)
    move(ctx, Event.STREAMS_CHOSEN)
    return resume_after_streams(ctx)


def resume_after_streams(ctx: TurnContext) -> bool:
    """Streams chosen (now at the schedule question): back to the review if on the way."""
    session = ctx.session
    if not session.back_to_review or session.schedule is None:
        return False
    move(ctx, Event.SYNC_CONFIGURED)
    review(ctx)
    return True


def _chosen(ctx: TurnContext) -> None:
    chosen = ctx.session.selected_streams
    ctx.say(render("streams_chosen", count=len(chosen), names=shorten(chosen)))
    if cursor_suggestions(ctx) is None:
        ctx.session.answers.pop("cursor_fields", None)


def _names_schemas(ctx: TurnContext, words: str) -> bool:
    """Whether every name in ``words`` is a schema the database was seen to have."""
    schemas = {n.lower() for n in scope_of(ctx)}
    names = [w for w in re.split(r"[\s,]+|\band\b", words.lower()) if w and w != "the"]
    return bool(schemas) and bool(names) and all(n in schemas for n in names)


def _has_time_of_day(cron: str | None) -> bool:
    """Whether a cron line fires at set clock times (its minute and hour are plain numbers)."""
    if not cron:
        return False
    minute, hour = cron.split()[:2]
    return all(part.isdigit() for part in f"{minute},{hour}".split(","))
