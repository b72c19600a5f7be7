"""CONFIGURE_SYNC: a source's schedule (with its time zone), or a sink's push rule.

A schedule comes as a cron line or words, and is echoed back in words. A clock time
("daily at 2am", "at 6 and 18", "hourly between 9 and 17") needs a time zone: one named
with it is taken ("daily at 7 berlin time"), otherwise the step asks, proposing UTC;
schedules without one ("nightly", "every 6 hours") run in UTC without asking. The answer
to that question may be a zone ("Berlin", "no, New York"), a yes for UTC, or a new
schedule ("make it 10pm", which keeps the days chosen). "default" takes the agent's
default schedule.
"""

from __future__ import annotations

import re
from typing import ClassVar

from agent import parsing
from agent.context import TurnContext
from agent.flow import FlowError, move
from agent.message import Message
from agent.naming import NAME, rename
from agent.prompts import render
from agent.steps.base import Step
from agent.steps.review import review
from agent.streams import change_cursor
from fsm import Event, State
from sessions import Schedule

__all__ = ["TIMEZONE", "ConfigureSync", "ask_schedule"]

TIMEZONE = "timezone"
"""The open question after a schedule with a time of day."""
_DEFAULT = frozenset({"default", "the default", "use the default", "the agent's default"})
# Answers to "in which time zone? UTC unless you say" that keep UTC.
_KEEP_UTC = frozenset(
    {
        "",
        "default",
        "the default",
        "keep it",
        "keep",
        "as is",
        "leave it",
        "that's fine",
        "fine",
        "ok",
        "okay",
        "sounds good",
        "whatever",
        "doesn't matter",
        "don't care",
        "any",
    }
)
_BARE_NO = re.compile(r"(?:no|nope|nah|n|not really|no thanks|no thank you)")
_FILLER = re.compile(
    r"\b(?:same as|please|pls|thanks|thx|time ?zone|time|we're in|we are in|i'm in|i am in)\b"
)


class ConfigureSync(Step):
    """How often to pull, or whether to push."""

    state: ClassVar[State] = State.CONFIGURE_SYNC
    where: ClassVar[str] = "We're setting how often to sync."

    def ask(self, ctx: TurnContext) -> None:
        """Ask for the schedule, or a sink's push rule."""
        if ctx.is_sink:
            ask_sink_push(ctx)
        else:
            ask_schedule(ctx)

    async def answer(self, ctx: TurnContext, message: Message) -> None:
        """A schedule, a time zone, a cursor change, or a sink's push rule."""
        if ctx.is_sink:
            _configure_sink(ctx, message.text)
        elif change_cursor(ctx, message.text):
            ask_schedule(ctx)
        else:
            _configure_schedule(ctx, message.text)


def ask_schedule(ctx: TurnContext) -> None:
    """Ask how often to pull, with the common answers as quick replies."""
    ctx.say(render("ask_schedule", default=ctx.session.agent_cron))
    ctx.options = ["Every 6 hours", "Daily at 2am", "Hourly", "Manual"]


def ask_sink_push(ctx: TurnContext) -> None:
    """Ask whether results go out when a job completes."""
    ctx.say(render("ask_sink_push"))
    ctx.options = ["Yes", "No"]


def _configure_schedule(ctx: TurnContext, text: str) -> None:
    session = ctx.session
    zone, rest = parsing.find_timezone(text)
    asked_zone = session.asked == TIMEZONE and session.schedule is not None
    if asked_zone and session.schedule and _answered_timezone(ctx, session.schedule, zone, rest):
        return
    if rest.strip().lower() in _DEFAULT:
        if not ctx.session.agent_cron:
            raise FlowError(render("errors/no_default_schedule"))
        rest = ctx.session.agent_cron
    try:
        schedule = parsing.parse_schedule(rest)
    except parsing.ScheduleError as exc:
        raise FlowError(render("errors/schedule", message=str(exc))) from None
    chosen = _keep_days(session.schedule, schedule, zone) if asked_zone else None
    chosen = chosen or Schedule(cron=schedule.cron, description=schedule.description, timezone=zone)
    if zone is None and schedule.clock:
        # A clock time means nothing until its zone is known: ask, proposing UTC.
        session.schedule = chosen
        session.asked = TIMEZONE
        ctx.say(render("ask_timezone", schedule=_capital(chosen.description or "")))
        ctx.options = ["UTC", "Europe/London", "America/New_York", "Asia/Tokyo"]
        return
    _configured(ctx, chosen.model_copy(update={"timezone": zone or "UTC"}))


def _answered_timezone(ctx: TurnContext, asked_for: Schedule, zone: str | None, rest: str) -> bool:
    """Whether ``rest`` (with ``zone`` taken out) answers "in which time zone?".

    "Berlin", "no, Berlin", "Berlin time" name the zone; "yes", "UTC is fine" or "default"
    keep the proposed UTC; a bare "no" asks which zone then. A new schedule ("make it 8am
    instead") is not an answer: the caller reads it as a schedule.
    """
    words = _FILLER.sub("", rest.strip().lower()).strip(" ,.!")
    answer = parsing.parse_yes_no(words) if words else None
    if zone is None:
        if answer is True or words in _KEEP_UTC:
            zone = "UTC"
        elif _BARE_NO.fullmatch(words) or not _is_schedule(words):
            raise FlowError(render("errors/timezone"))
        else:
            return False
    elif words and answer is None and _is_schedule(words):
        return False  # a new schedule with its zone: "make it 8am berlin"
    _configured(ctx, asked_for.model_copy(update={"timezone": zone}))
    return True


def _keep_days(before: Schedule | None, new: parsing.Schedule, zone: str | None) -> Schedule | None:
    """A new time of day on the days chosen before ("every sunday at 11", then "make it 10pm")."""
    if before is None or not before.cron or not new.cron or not new.times_only:
        return None
    cron = " ".join(new.cron.split()[:2] + before.cron.split()[2:])
    return Schedule(cron=cron, description=parsing.describe_cron(cron), timezone=zone)


def _is_schedule(text: str) -> bool:
    try:
        parsing.parse_schedule(text)
    except parsing.ScheduleError:
        return False
    return True


def _configured(ctx: TurnContext, schedule: Schedule) -> None:
    ctx.session.schedule = schedule
    ctx.session.asked = None
    move(ctx, Event.SYNC_CONFIGURED)
    review(ctx)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _configure_sink(ctx: TurnContext, text: str) -> None:
    """A sink's push rule: auto-push on job completion (off unless said), and retries.

    "Push results automatically" restates the option: a yes; "push them by hand" negates
    it: a no. "Yes and retry 3 times" takes both; a yes that carries a name or another
    edit ("yes, call it Partner results") takes that too.
    """
    said = parsing.split_yes_no(text)
    answer = said.answer
    if answer is None:
        answer = parsing.restates(text, parsing.PUSH_WORDS)
    if answer is None:
        raise FlowError(render("errors/sink_push"))
    retries = parsing.parse_retries(text)
    ctx.session.schedule = Schedule(auto_push=answer, retries=retries)
    command = parsing.parse_command(said.rest, fields=ctx.fields()) if said.rest else None
    if command is not None and command.field == NAME and command.value:
        rename(ctx, command.value)
    move(ctx, Event.SYNC_CONFIGURED)
    review(ctx)
