"""GATHER_CREDENTIALS: ask only for what is missing, take several fields at once, then test.

Secrets are only collected here (``ctx.pending_secrets``); the engine sends them to the
vault before the turn ends. After a failed test the step asks only for what the failure
points at and keeps every other answer (DESIGN.md section 13).
"""

from __future__ import annotations

import base64
import secrets as random
from collections.abc import Mapping
from typing import Any, ClassVar

from agent import parsing, secret_guard
from agent.advice import PARTNERS, advice_for, fields_to_reask
from agent.context import TurnContext
from agent.flow import FlowError, move, target_of
from agent.message import Message
from agent.prompts import render
from agent.steps.base import Step
from connections.schemas import FieldOut
from fsm import Event, State
from sessions import Failure

__all__ = [
    "Gather",
    "after_answers",
    "ask_next",
    "generate_signing_secret",
    "go_without",
    "on_test_failed",
    "retry",
    "start_test",
    "store_answers",
]


# Settings a message must carry besides the type's name for them to be taken as settings.


class Gather(Step):
    """The connection settings."""

    state: ClassVar[State] = State.GATHER_CREDENTIALS
    where: ClassVar[str] = "We're gathering the connection settings."

    def ask(self, ctx: TurnContext) -> None:
        """Say how to change a setting or test again, and ask for what is missing."""
        ctx.say(render("ask_change_setting"))
        ask_next(ctx)

    async def answer(self, ctx: TurnContext, message: Message) -> None:
        """Take field values from a message (or a masked form)."""
        if message.form is not None:
            _form(ctx, message.form)
            return
        text = message.text
        declined = ctx.declined_secret(text)
        if declined is not None:
            go_without(ctx, declined)
            return
        # A DSN is read with the rest of the message: a pasted block may hold one among
        # other settings (a DATABASE_URL next to PGSSLMODE, a webhook URL and its secret).
        extraction = message.extraction or parsing.extract_fields(
            text, ctx.fields(), types=ctx.types, asked=ctx.session.asked
        )
        clause = parsing.decline_span(text) if _may_go_without(ctx) else None
        if clause is not None:
            # "user root, no password": the clause is not part of the user name.
            start, end = clause
            rest = text[:start] + " " * (end - start) + text[end:]
            extraction = parsing.extract_fields(
                rest, ctx.fields(), types=ctx.types, asked=ctx.session.asked
            )
        without = _declined_inline(ctx, text, extraction.secret_values)
        if not extraction.values and not extraction.secret_values and not without:
            raise FlowError(render("errors/not_understood", hint=_hint(ctx)))
        secrets = {k: v for k, v in extraction.secret_values.items() if ctx.field(k) not in without}
        stored = store_answers(ctx, dict(extraction.values), secrets)
        got = [ctx.label(k) for k in extraction.values if ctx.field(k) is not None]
        ctx.say(render("got_fields", got=got, secret_stored=stored))
        for field in without:
            _record_without(ctx, field)
            ctx.say(render("no_secret_then", label=field.label.lower()))
        if extraction.misplaced:
            ctx.say(render("errors/wrong_secret_place"))
        after_answers(ctx)


def _form(ctx: TurnContext, form: Mapping[str, str]) -> None:
    """Structured answers: a masked form, a Slack modal, a one-time link."""
    known = {f.name: f for f in ctx.fields()}
    unknown = [k for k in form if k not in known]
    if unknown:
        raise FlowError(render("errors/unknown_fields", names=sorted(unknown)))
    values = {k: v for k, v in form.items() if not known[k].secret}
    secrets = {k: v for k, v in form.items() if known[k].secret}
    for name, value in list(secrets.items()):
        if not parsing.says_nothing(value):
            continue
        if known[name].empty_ok and ctx.session.asked == name:
            del secrets[name]
            go_without(ctx, known[name])
        elif not value.strip():
            raise FlowError(
                render("errors/empty_secret", paste=True, label=known[name].label.lower())
            )
    if not values and not secrets:
        return
    store_answers(ctx, values, secrets)
    ctx.say(
        render(
            "got_fields",
            got=[known[k].label.lower() for k in values],
            secret_stored=[known[k].label.lower() for k in secrets],
        )
    )
    after_answers(ctx)


def store_answers(
    ctx: TurnContext, values: Mapping[str, Any], secret_values: Mapping[str, str]
) -> list[str]:
    """Store answers; secrets are only collected (the engine stages them). Return their labels."""
    session = ctx.session
    known = {f.name for f in ctx.fields()}
    values = secret_guard.screen(ctx, values, secret_values)  # a secret is never a setting
    answered: set[str] = set()
    for name, value in values.items():
        if name in known and value not in (None, ""):
            session.answers[name] = value
            answered.add(name)
    for name, value in secret_values.items():
        if name in known and value:
            ctx.pending_secrets[name] = value
            session.answers.pop(name, None)  # it had been "none"
            answered.add(name)
    failure = session.last_failure
    if failure is not None and answered:
        # What a failure points at is a suspicion, not a list to fill in: a fixed port is
        # tested at once, without asking for the host again. Only the other half of a new
        # credential (a key id's secret) is still needed.
        still = {PARTNERS[n] for n in answered if n in PARTNERS} & set(failure.reask) - answered
        session.last_failure = failure.model_copy(update={"reask": tuple(sorted(still))})
    return [ctx.label(n) for n in secret_values if n in known]


def _declined_inline(
    ctx: TurnContext, text: str, secret_values: Mapping[str, str]
) -> list[FieldOut]:
    """Secret fields a message with other settings says there is none of.

    "host db, user root, no password" or ``password: none``, where the login may go
    without one; a secret given in the same message wins over the clause.
    """
    declined = []
    for field in ctx.fields():
        if not field.secret or not field.empty_ok:
            continue
        given = secret_values.get(field.name)
        says = parsing.declines_secret(text) if given is None else parsing.says_nothing(given)
        if says:
            declined.append(field)
    return declined


def _may_go_without(ctx: TurnContext) -> bool:
    return any(f.secret and f.empty_ok for f in ctx.fields())


def _record_without(ctx: TurnContext, field: FieldOut) -> None:
    session = ctx.session
    session.secret_refs.pop(field.name, None)
    session.secret_masks.pop(field.name, None)
    # An empty answer, not a secret: the request leaves it out and the login has none.
    session.answers[field.name] = ""
    failure = session.last_failure
    if failure is not None:
        reask = tuple(n for n in failure.reask if n != field.name)
        session.last_failure = failure.model_copy(update={"reask": reask})


def go_without(ctx: TurnContext, field: FieldOut) -> None:
    """Record that a secret the login may go without is empty, then go on."""
    _record_without(ctx, field)
    ctx.say(render("no_secret_then", label=field.label.lower()))
    after_answers(ctx)


def generate_signing_secret(ctx: TurnContext) -> None:
    """Make a Standard Webhooks signing secret; it is shown once and never kept in the chat."""
    if ctx.field("signing_secret") is None:
        raise FlowError(render("errors/nothing_to_generate"))
    secret = "whsec_" + base64.b64encode(random.token_bytes(24)).decode()
    ctx.pending_secrets = {"signing_secret": secret}
    ctx.reveal_once = secret
    ctx.say(render("reveal_secret"))
    after_answers(ctx)


def after_answers(ctx: TurnContext) -> None:
    """Ask for what is still missing, or start the test when nothing is."""
    if ctx.missing():
        ask_next(ctx)
        return
    ctx.session.asked = None
    ctx.required_fields = []
    if State(ctx.session.state) is State.GATHER_CREDENTIALS:
        start_test(ctx)


def retry(ctx: TurnContext) -> None:
    """Test again as things are: answers a failure pointed at are kept; absent ones named."""
    absent = ctx.absent()
    if absent:
        names = [f.label.lower() for f in absent]
        raise FlowError(render("errors/still_missing", names=names))
    if ctx.session.last_failure is not None:
        ctx.session.last_failure = ctx.session.last_failure.model_copy(update={"reask": ()})
    start_test(ctx)


def start_test(ctx: TurnContext) -> None:
    """Move to TEST_CONNECTION and ask the engine to run the test."""
    event = Event.RETRY if ctx.session.last_failure is not None else Event.FIELDS_COMPLETE
    move(ctx, event)
    ctx.session.last_failure = None
    ctx.say(render("testing", target=target_of(ctx)))
    ctx.start_task = "test"


def ask_next(ctx: TurnContext, *, intro: bool = True) -> None:
    """Ask for the next missing field (one question at a time); list all that are missing."""
    missing = ctx.missing()
    ctx.required_fields = [f.name for f in missing]
    if not missing:
        ctx.session.asked = None
        return
    nxt = missing[0]
    ctx.session.asked = nxt.name
    if nxt.secret:
        ctx.input_type = "secret"
    prompt = nxt.prompt
    if nxt.name == "signing_secret":
        prompt = render("ask_signing_secret")
        ctx.options = ["Generate"]
    if nxt.choices:
        ctx.options = list(nxt.choices)
    if intro or len(missing) == len(ctx.needed()):
        ctx.say(
            render(
                "ask_field",
                prompt=prompt,
                secret=nxt.secret and nxt.name != "signing_secret",
                example=None if nxt.secret else nxt.example,
                optional=False,
            )
        )


def on_test_failed(ctx: TurnContext, failure: str | None, field: str | None, message: str) -> None:
    """Explain a failed test and ask only for what the failure points at."""
    reask = fields_to_reask(failure, field, ctx.fields(), ctx.connector)
    ctx.session.last_failure = Failure(failure=failure, field=field, reask=tuple(reask))
    move(ctx, Event.TEST_FAILED)
    ctx.say(render("test_failed", message=message, advice=advice_for(failure, ctx.fields(), reask)))
    ctx.options = ["Retry", "Cancel"]
    ask_next(ctx, intro=False)


def _hint(ctx: TurnContext) -> str:
    asked = ctx.field(ctx.session.asked or "")
    if asked is not None:
        return f"{asked.prompt}"
    return 'Say "help" to see what I can do.'
