"""CONFIGURE_SYNC: a source's schedule (with its time zone), or a sink's push rule.

A schedule comes as a cron line or words, and is echoed back in words. A time of day
("daily at 2am") needs a time zone: one named with it is taken ("daily at 2am
Europe/Berlin"), otherwise the step asks, proposing UTC. "default" takes the agent's
default schedule.
"""

from __future__ import annotations

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
    if rest.strip().lower() in _DEFAULT:
        if not ctx.session.agent_cron:
            raise FlowError(render("errors/no_default_schedule"))
        rest = ctx.session.agent_cron
    try:
        schedule = parsing.parse_schedule(rest)
    except parsing.ScheduleError as exc:
        if session.asked != TIMEZONE or session.schedule is None:
            raise FlowError(render("errors/schedule", message=str(exc))) from None
        if zone is None and parsing.parse_yes_no(rest) is not True:
            raise FlowError(render("errors/timezone")) from None
        # The answer to "in which time zone?" ("Berlin", "yes" for UTC).
        _configured(ctx, session.schedule.model_copy(update={"timezone": zone or "UTC"}))
        return
    chosen = Schedule(cron=schedule.cron, description=schedule.description, timezone=zone)
    if zone is None and _has_time_of_day(schedule.cron):
        session.schedule = chosen
        session.asked = TIMEZONE
        ctx.say(render("ask_timezone", schedule=_capital(schedule.description)))
        ctx.options = ["UTC", "Europe/London", "America/New_York", "Asia/Tokyo"]
        return
    _configured(ctx, chosen.model_copy(update={"timezone": zone or "UTC"}))


def _configured(ctx: TurnContext, schedule: Schedule) -> None:
    ctx.session.schedule = schedule
    ctx.session.asked = None
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
