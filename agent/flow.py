"""What each state does with a message. Pure conversation logic over a :class:`TurnContext`.

Slow work (a connection test, a discovery) is not done here: a step asks for it with
``ctx.start_task`` and :mod:`agent.engine` runs it in the background.
"""

from __future__ import annotations

import base64
import secrets as random
from typing import Any

from agent import parsing
from agent.advice import PARTNERS, advice_for, fields_to_reask
from agent.context import TurnContext
from agent.prompts import render
from connections.schemas import FieldOut
from core.wording import human_list
from fsm import EditTarget, Event, Facts, State, fire

__all__ = [
    "FlowError",
    "after_answers",
    "ask_next",
    "choose_type",
    "facts",
    "gather",
    "generate_signing_secret",
    "go_without",
    "move",
    "on_test_failed",
    "retry",
    "start_test",
    "store_answers",
    "target_of",
    "type_options",
]


class FlowError(Exception):
    """A message that cannot be used here; its text is said to the person."""


def facts(ctx: TurnContext, *, edit: EditTarget | None = None) -> Facts:
    """The guard inputs of the current session."""
    session = ctx.session
    return Facts(
        is_sink=ctx.is_sink,
        fields_complete=not ctx.missing(),
        last_test_failed=session.last_failure is not None,
        has_streams=bool(session.catalog and session.catalog.get("streams")),
        scoped=bool(session.catalog and session.catalog.get("scope")),
        edit_target=edit,
    )


def move(ctx: TurnContext, event: Event, *, edit: EditTarget | None = None) -> State:
    """Fire ``event`` on the shared machine and record the new state."""
    new = fire(State(ctx.session.state), event, facts(ctx, edit=edit))
    ctx.session.state = new.value
    return new


# -- choosing a type ---------------------------------------------------------------------------


def type_options(ctx: TurnContext) -> list[str]:
    """Quick replies for the type question."""
    options = [t.label for t in ctx.types if "INVENTORY_SOURCE" in t.roles]
    return [*options, "Send results to…"]


def choose_type(ctx: TurnContext, text: str) -> None:
    """Pick the connector from a name, alias, typo, number or DSN."""
    dsn = parsing.parse_dsn(text)
    if dsn is not None and not any(t.type == dsn.type for t in ctx.types):
        labels = [t.label for t in ctx.types]
        raise FlowError(
            f"That looks like a {dsn.type.title()} connection, which this deployment can't "
            f"connect to yet. I can connect {human_list(labels, 'or')}."
        )
    if dsn is not None:
        _set_type(ctx, dsn.type, None)
        stored = _apply(ctx, dict(dsn.fields), dict(dsn.secrets))
        connector = ctx.connector
        label = connector.label if connector else dsn.type
        summary = ", ".join(f"{_label(ctx, k)} {v}" for k, v in dsn.fields.items() if v)
        ctx.say(render("dsn_understood", label=label, summary=summary, stored_secrets=stored))
        # A DSN may carry everything: then the test starts at once.
        _after_answers(ctx)
        return
    numbered = type_options(ctx)
    if text.strip().isdigit() and 1 <= int(text) <= len(numbered):
        text = numbered[int(text) - 1]
    sink_words = text.lower().startswith("send results")
    match = parsing.match_type(text, ctx.types)
    if match is None:
        if sink_words:
            ctx.say("A results sink. Where should results go: Amazon S3 or an HTTPS webhook?")
            ctx.session.role = "RESULTS_SINK"
            ctx.options = [t.label for t in ctx.types if "RESULTS_SINK" in t.roles]
            return
        labels = [t.label for t in ctx.types]
        raise FlowError(render("errors/unknown_type", text=text.strip()[:60], labels=labels))
    role = match.role.value if match.role else ctx.session.role
    _set_type(ctx, match.connector.type, role)
    connector = ctx.connector
    assert connector is not None  # noqa: S101 - _set_type chose it
    needed = [f.label.lower() for f in ctx.needed()]
    example = ", ".join(
        f"{f.name.replace('_', ' ')} {f.example}"
        for f in ctx.needed()[:2]
        if f.example and not f.secret
    )
    ctx.say(
        render(
            "type_chosen",
            label=connector.label,
            is_sink=ctx.is_sink,
            needed=needed,
            example=example,
        )
    )
    ask_next(ctx, intro=False)


def _set_type(ctx: TurnContext, type_: str, role: str | None) -> None:
    connector = next(t for t in ctx.types if t.type == type_)
    if role is None:
        role = ctx.session.role if ctx.session.role in connector.roles else None
    if role is None or role not in connector.roles:
        role = "INVENTORY_SOURCE" if "INVENTORY_SOURCE" in connector.roles else "RESULTS_SINK"
    ctx.session.connector_type = type_
    ctx.session.role = role
    move(ctx, Event.TYPE_CHOSEN)


def _label(ctx: TurnContext, name: str) -> str:
    field = ctx.field(name)
    return field.label.lower() if field else name.replace("_", " ")


# -- gathering fields ------------------------------------------------------------------------


def _apply(ctx: TurnContext, values: dict[str, Any], secret_values: dict[str, str]) -> list[str]:
    """Store answers; secrets are only collected here (the engine stages them). Return labels."""
    session = ctx.session
    known = {f.name for f in ctx.fields()}
    answered: set[str] = set()
    for name, value in values.items():
        if name in known and value not in (None, ""):
            session.answers[name] = value
            answered.add(name)
    pending = ctx.data.setdefault("_pending_secrets", {})
    for name, value in secret_values.items():
        if name in known and value:
            pending[name] = value
            session.answers.pop(name, None)  # it had been "none"
            answered.add(name)
    if session.last_failure is not None and answered:
        # What a failure points at is a suspicion, not a list to fill in: a fixed port is
        # tested at once, without asking for the host again. Only the other half of a new
        # credential (a key id's secret) is still needed.
        reask = set(session.last_failure.get("reask", []))
        still = {PARTNERS[n] for n in answered if n in PARTNERS} & reask - answered
        session.last_failure = {**session.last_failure, "reask": sorted(still)}
    return [_label(ctx, n) for n in secret_values if n in known]


def gather(ctx: TurnContext, text: str) -> None:
    """Take field values from a message (the engine has already scrubbed its secrets)."""
    declined = ctx.declined_secret(text)
    if declined is not None:
        go_without(ctx, declined)
        return
    dsn = parsing.parse_dsn(text)
    if dsn is not None and dsn.type == ctx.session.connector_type:
        stored = _apply(ctx, dict(dsn.fields), dict(dsn.secrets))
        ctx.say(
            render("got_fields", got=[_label(ctx, k) for k in dsn.fields], secret_stored=stored)
        )
        _after_answers(ctx)
        return
    cached = ctx.data.pop("_extraction", None)
    if cached is not None and cached[:2] == (text, ctx.session.asked):
        extraction = cached[2]
    else:
        extraction = parsing.extract_fields(text, ctx.fields(), asked=ctx.session.asked)
    if not extraction.values and not extraction.secret_values:
        raise FlowError(render("errors/not_understood", hint=_hint(ctx)))
    stored = _apply(ctx, dict(extraction.values), dict(extraction.secret_values))
    got = [_label(ctx, k) for k in extraction.values if ctx.field(k) is not None]
    wrong_place = bool(extraction.misplaced)
    ctx.say(render("got_fields", got=got, secret_stored=stored))
    if wrong_place:
        ctx.say(render("errors/wrong_secret_place"))
    _after_answers(ctx)


def go_without(ctx: TurnContext, field: FieldOut) -> None:
    """Record that a secret the login may go without is empty, then go on."""
    session = ctx.session
    session.secret_refs.pop(field.name, None)
    session.secret_masks.pop(field.name, None)
    # An empty answer, not a secret: the request leaves it out and the login has none.
    session.answers[field.name] = ""
    if session.last_failure is not None:
        reask = [n for n in session.last_failure.get("reask", []) if n != field.name]
        session.last_failure = {**session.last_failure, "reask": reask}
    ctx.say(f"No {field.label.lower()}, then.")
    _after_answers(ctx)


def generate_signing_secret(ctx: TurnContext) -> None:
    """Make a Standard Webhooks signing secret; it is shown once and never kept in the chat."""
    if ctx.field("signing_secret") is None:
        raise FlowError("There is no secret to generate here.")
    secret = "whsec_" + base64.b64encode(random.token_bytes(24)).decode()
    ctx.data["_pending_secrets"] = {"signing_secret": secret}
    ctx.data["reveal_once"] = secret
    ctx.say(render("reveal_secret"))
    after_answers(ctx)


def store_answers(
    ctx: TurnContext, values: dict[str, Any], secret_values: dict[str, str]
) -> list[str]:
    """Public form of :func:`_apply` for structured answers and edits."""
    return _apply(ctx, values, secret_values)


def after_answers(ctx: TurnContext) -> None:
    """Ask for what is still missing, or start the test when nothing is."""
    _after_answers(ctx)


def _after_answers(ctx: TurnContext) -> None:
    if ctx.missing():
        ask_next(ctx)
        return
    ctx.session.asked = None
    ctx.data["required_fields"] = []
    if State(ctx.session.state) is State.GATHER_CREDENTIALS:
        start_test(ctx)


def retry(ctx: TurnContext) -> None:
    """Test again as things are: answers a failure pointed at are kept; absent ones named."""
    absent = ctx.absent()
    if absent:
        names = human_list([f.label.lower() for f in absent])
        raise FlowError(f"I still need the {names} before I can test.")
    if ctx.session.last_failure is not None:
        ctx.session.last_failure = {**ctx.session.last_failure, "reask": []}
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
    ctx.data["required_fields"] = [f.name for f in missing]
    if not missing:
        ctx.session.asked = None
        return
    nxt = missing[0]
    ctx.session.asked = nxt.name
    if nxt.secret:
        ctx.data["input_type"] = "secret"
    prompt = nxt.prompt
    if nxt.name == "signing_secret":
        prompt = (
            "I'll sign every delivery so you can verify it came from us. Paste the signing "
            'secret you want, or say "generate" and I\'ll make one (shown once).'
        )
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


def _hint(ctx: TurnContext) -> str:
    asked = ctx.field(ctx.session.asked or "")
    if asked is not None:
        return f"{asked.prompt}"
    return 'Say "help" to see what I can do.'


def target_of(ctx: TurnContext) -> str:
    """Where the connection points, in words, without secrets."""
    a = ctx.session.answers
    if ctx.session.connector_type == "S3":
        return f"s3://{a.get('bucket', '?')}/{a.get('prefix', '')}"
    if "url" in a:
        return str(a["url"]).split("?", 1)[0]
    if "host" in a:
        return f"{a['host']}:{a.get('port', '')}".rstrip(":")
    return ctx.connector.label if ctx.connector else "the service"


def on_test_failed(ctx: TurnContext, failure: str | None, field: str | None, message: str) -> None:
    """Explain a failed test and ask only for what the failure points at."""
    reask = fields_to_reask(failure, field, ctx.fields())
    ctx.session.last_failure = {"failure": failure, "field": field, "reask": reask}
    move(ctx, Event.TEST_FAILED)
    ctx.say(render("test_failed", message=message, advice=advice_for(failure, ctx.fields(), reask)))
    ctx.options = ["Retry", "Cancel"]
    ask_next(ctx, intro=False)
