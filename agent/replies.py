"""A turn's reply.

Assembled from the turn, recorded in the transcript (redacted), kept as the session's
``last_reply``.
"""

from __future__ import annotations

from agent import first_pull
from agent.context import TaskKind, TurnContext
from agent.reply import Reply
from core.redaction import redact_text
from fsm import State
from sessions import Task

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
    message = "\n\n".join(ctx.lines)
    reply = Reply(
        session_id=session.id, state=session.state, message=message, options=ctx.options, data=data
    )
    if user_text is not None:
        session.append("user", redact_text(user_text))
    session.append("agent", redact_text(message))
    session.last_reply = reply.model_dump(mode="json")
    if ctx.reveal_once is not None:
        # Shown once in this reply only: never in the transcript or last_reply.
        reply = reply.model_copy(update={"data": {**data, "reveal_once": ctx.reveal_once}})
    return reply
