"""The session: plain data, serialized between turns.

A session is not a live object. It holds no FSM machine, lock or connection, so an idle session
costs only its JSON bytes in a store; one shared ``transitions`` machine serves every session and
:class:`~sessions.locks.SessionLocks` serializes the turns.

It never holds a secret value: secrets go to the vault the moment they are typed, and the session
keeps the vault's ``secretRef`` and the display mask. Transcript text arrives already redacted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from core.ids import new_id

__all__ = [
    "MAX_TURNS",
    "Created",
    "Failure",
    "Schedule",
    "Session",
    "Speaker",
    "Task",
    "Turn",
]

MAX_TURNS = 200
"""Turns kept in a transcript; older ones are dropped so a long chat stays small."""

Speaker = Literal["user", "agent"]


def _now() -> datetime:
    return datetime.now(UTC)


def _new_session_id() -> str:
    return new_id("ses")


class Turn(BaseModel):
    """One message of the transcript, already redacted by the caller."""

    model_config = ConfigDict(frozen=True)

    role: Speaker
    text: str
    at: AwareDatetime = Field(default_factory=_now)


class Failure(BaseModel):
    """The last classified check failure, and the answers it points at.

    Attributes:
        failure: The failure class (``auth_failed``, ``unreachable``…), or a chat-level one
            (``discovery_failed``, ``no_streams``).
        field: The field the connection service named, if any.
        reask: Fields asked for again before the next test (what the failure points at).
    """

    model_config = ConfigDict(frozen=True)

    failure: str | None = None
    field: str | None = None
    reask: tuple[str, ...] = ()


class Schedule(BaseModel):
    """A source's schedule (cron, words, time zone) or a sink's push rule.

    Attributes:
        cron: The cron line; ``None`` for manual pulls.
        description: The schedule in words, as echoed to the person.
        timezone: The IANA zone a time of day is meant in.
        auto_push: A sink's "push results when a job completes".
        retries: A sink's retries of a failed push; ``None``: the agent's rule.
    """

    model_config = ConfigDict(frozen=True)

    cron: str | None = None
    description: str | None = None
    timezone: str | None = None
    auto_push: bool | None = None
    retries: int | None = None


class Task(BaseModel):
    """Background work a turn started: ``{id, step, status}`` as faces see it."""

    model_config = ConfigDict(frozen=True)

    id: str
    step: str
    status: str = "running"


class Created(BaseModel):
    """What EXECUTE created."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    status: str


class Session(BaseModel):
    """Everything the conversation needs between two turns.

    Attributes:
        id: ``ses_…``.
        tenant_id: The tenant the session belongs to; other tenants never see it.
        user_id: The person driving the session.
        roles: The person's roles, passed through to the connection service.
        agent_id: The pipeline owner the source or sink is created under.
        agent_cron: That agent's default schedule ("default" at the schedule question),
            looked up when the schedule question comes near.
        state: The FSM state value, e.g. ``"select_source_type"``.
        connector_type: The chosen connector type, e.g. ``"postgres"``.
        role: ``"INVENTORY_SOURCE"`` or ``"RESULTS_SINK"``.
        answers: Non-secret field values by field name.
        secret_refs: Field name → vault ``secretRef``; never a secret value.
        secret_masks: Field name → display mask (``ia_****abcd``).
        asked: The field last asked for, so a bare value can be assigned to it.
        catalog: The discovered catalog.
        selected_streams: The streams the person picked.
        schedule: The chosen schedule (cron, timezone).
        last_failure: The last classified check failure.
        task: ``{id, step, status}`` of a background test or discovery.
        result: What EXECUTE created.
        proposed_name: The name the last review showed, which EXECUTE uses unless the person
            named it (a proposal re-made at EXECUTE could differ from the one confirmed).
        back_to_review: An answer was changed at the review: the steps it re-runs (a test,
            a discovery, the stream question) come back to the review, keeping the rest.
        transcript: The redacted conversation, at most :data:`MAX_TURNS` turns.
        last_reply: The last reply, in the chat reply's shape.
        created_at: When the session started.
        updated_at: The last activity; a store expires the session after its TTL of inactivity
            and stamps this on every write.
        version: Bumped by every successful store ``save``; the compare-and-set token.
    """

    id: str = Field(default_factory=_new_session_id)
    tenant_id: str
    user_id: str
    roles: tuple[str, ...] = ()
    agent_id: str | None = None
    agent_cron: str | None = None
    state: str
    connector_type: str | None = None
    role: str | None = None
    answers: dict[str, Any] = Field(default_factory=dict)
    secret_refs: dict[str, str] = Field(default_factory=dict)
    secret_masks: dict[str, str] = Field(default_factory=dict)
    asked: str | None = None
    catalog: dict[str, Any] | None = None
    selected_streams: list[str] = Field(default_factory=list)
    schedule: Schedule | None = None
    last_failure: Failure | None = None
    task: Task | None = None
    result: Created | None = None
    proposed_name: str | None = None
    back_to_review: bool = False
    transcript: list[Turn] = Field(default_factory=list)
    last_reply: dict[str, Any] | None = None
    created_at: AwareDatetime = Field(default_factory=_now)
    updated_at: AwareDatetime = Field(default_factory=_now)
    version: int = Field(default=0, ge=0)

    def touch(self, now: datetime | None = None) -> None:
        """Mark activity at ``now`` (default: the current UTC time)."""
        self.updated_at = now if now is not None else _now()

    def append(self, role: Speaker, text: str, *, at: datetime | None = None) -> Turn:
        """Add a turn (``text`` already redacted), drop the oldest beyond :data:`MAX_TURNS`."""
        turn = Turn(role=role, text=text, at=at if at is not None else _now())
        self.transcript.append(turn)
        if len(self.transcript) > MAX_TURNS:
            del self.transcript[:-MAX_TURNS]
        self.touch(turn.at)
        return turn

    def to_json(self) -> bytes:
        """The session as UTF-8 JSON, the form stores keep it in."""
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Session:
        """The session stored by :meth:`to_json`."""
        return cls.model_validate_json(data)
