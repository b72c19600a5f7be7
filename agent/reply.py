"""The shape of every reply: ``{session_id, state, message, options, data}`` (seed 002)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["InputType", "Reply", "TaskStatus"]

InputType = Literal["text", "secret", "choice", "multi_choice", "none"]


class TaskStatus(BaseModel):
    """Progress of background work started by a turn (a test, a discovery)."""

    model_config = ConfigDict(frozen=True)

    id: str
    step: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]


class Reply(BaseModel):
    """What the agent says after a turn.

    ``data.required_fields`` lists what is still missing, ``data.input_type`` is ``secret``
    when the next answer must be masked, ``data.secret_fields`` names the secret fields still
    wanted (``{name, label}``, for a face's own masked form), ``data.secret_received`` is true
    when the message carried a secret, ``data.task`` reports background work, and
    ``data.reveal_once`` carries a generated secret that is never stored in the transcript.
    """

    @property
    def secret_received(self) -> bool:
        """Whether the message this replies to carried a secret (now in the vault)."""
        return bool(self.data.get("secret_received"))

    @property
    def secret_fields(self) -> list[dict[str, str]]:
        """The secret fields still wanted, ``{name, label}`` each."""
        fields = self.data.get("secret_fields") or []
        return [f for f in fields if isinstance(f, dict)]

    model_config = ConfigDict(frozen=True)

    session_id: str
    state: str
    message: str
    options: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
