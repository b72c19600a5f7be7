"""A turn's reply.

Assembled from the turn, recorded in the transcript (redacted), kept as the session's
``last_reply``. The reply itself is redacted too: no sentence may say back a value this
session holds as a secret, whichever setting it was typed as (the password typed as the
database name shows up in a failed test's message). When a turn brings a new secret, the
transcript's earlier turns are redacted again: the value may have been typed in the open
before anyone knew it was a secret.
"""

from __future__ import annotations

from agent import first_pull
from agent.context import TaskKind, TurnContext
from agent.reply import Reply
from core.redaction import redact_text
from fsm import State
from sessions import Session, Task

__all__ = ["STEP_NAMES", "finish"]

STEP_NAMES: dict[TaskKind, str] = {
    "test": "test connection",
    "discover": "discover schema",
    "pull": first_pull.STEP,
}
"""The ``data.task.step`` of each kind of background work."""


def finish(ctx: TurnContext, *, user_text: str | None) -> Reply:
    """Assemble the reply, record the turn (redacted), and keep it as ``last_reply``."""
    session = ctx.session
    if ctx.keep_options and not ctx.options and session.last_reply:
        ctx.options = list(session.last_reply.get("options") or [])
    data = ctx.reply_data()
    if "required_fields" not in data:
        data["required_fields"] = (
            [f.name for f in ctx.missing()]
            if ctx.connector and State(session.state) is State.GATHER_CREDENTIALS
            else []
        )
    secret_fields = ctx.secret_fields(data["required_fields"])
    if secret_fields:
        # Faces that build their own masked form (Slack's modal) need no connector specs.
        data["secret_fields"] = secret_fields
    if ctx.start_task:
        task_id = f"{session.id}:{ctx.start_task}"
        session.task = Task(id=task_id, step=STEP_NAMES[ctx.start_task])
    if session.task:
        data["task"] = session.task.model_dump(mode="json")
    message = redact_text("\n\n".join(ctx.lines))
    options = [redact_text(option) for option in ctx.options]
    reply = Reply(
        session_id=session.id, state=session.state, message=message, options=options, data=data
    )
    if ctx.secret_received:
        _redact_transcript(session)
    if user_text is not None:
        session.append("user", redact_text(user_text))
    session.append("agent", redact_text(message))
    session.last_reply = reply.model_dump(mode="json")
    if ctx.reveal_once is not None:
        # Shown once in this reply only: never in the transcript or last_reply.
        reply = reply.model_copy(update={"data": {**data, "reveal_once": ctx.reveal_once}})
    return reply


def _redact_transcript(session: Session) -> None:
    """Redact every turn again with the secrets known now."""
    session.transcript = [
        turn
        if (text := redact_text(turn.text)) == turn.text
        else turn.model_copy(update={"text": text})
        for turn in session.transcript
    ]
