"""What one turn works with.

The session, the user's client, the connector's fields, and what the turn has decided so far
(typed: nothing travels through untyped keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from agent import parsing
from connections.client import ConnectionClient
from connections.schemas import ConnectorTypeOut, FieldOut
from sessions import Session

__all__ = ["InputType", "TaskKind", "TurnContext"]

TaskKind = Literal["test", "discover", "pull"]
"""Background work a turn may ask the engine to start after it."""
InputType = Literal["text", "secret", "multi_choice"]


@dataclass
class TurnContext:
    """Mutable state of one turn; the reply is assembled from ``lines`` at the end.

    Attributes:
        session: The conversation, changed in place and saved after the turn.
        client: The connection service, acting as the person.
        types: Every connector type the service offers.
        lines: The reply's paragraphs.
        options: The reply's quick replies.
        input_type: How the next answer is read; ``secret`` makes every face mask it.
        required_fields: Overrides the computed ``data.required_fields`` when set.
        start_task: Background work to start once the turn is saved.
        pull: ``(source_id, sync_id)`` of the first pull to follow (with ``start_task="pull"``).
        pending_secrets: Secrets typed this turn, on their way to the vault; never saved.
        secret_received: The message carried a secret (typed text or a masked form): a face
            that shows messages in the open (Slack) tells the person to rotate a typed one.
        reveal_once: A secret the product generated, shown in this reply only.
        keep_options: The turn asked nothing new (help, status, a message it could not use):
            the quick replies already on screen still answer the open question.
        taken_names: Names the agent's sources and sinks already have.
        agent_gone: Creating found the session's agent deleted (the engine forgets it).
    """

    session: Session
    client: ConnectionClient
    types: list[ConnectorTypeOut]
    lines: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    input_type: InputType = "text"
    required_fields: list[str] | None = None
    start_task: TaskKind | None = None
    pull: tuple[str, str] | None = None
    pending_secrets: dict[str, str] = field(default_factory=dict, repr=False)
    secret_received: bool = False
    reveal_once: str | None = field(default=None, repr=False)
    keep_options: bool = False
    taken_names: frozenset[str] = frozenset()
    agent_gone: bool = False
    # The chosen connector's fields, by (type, role): a turn asks for them many times, and the
    # choice can change mid-turn, so the key is checked on every use.
    _fields: tuple[tuple[str | None, str | None], list[FieldOut]] | None = field(
        default=None, init=False, repr=False
    )

    def say(self, text: str) -> None:
        """Add a paragraph to the reply."""
        if text:
            self.lines.append(text)

    @property
    def connector(self) -> ConnectorTypeOut | None:
        """The chosen connector type."""
        chosen = self.session.connector_type
        return next((t for t in self.types if t.type == chosen), None)

    @property
    def is_sink(self) -> bool:
        """Whether a results sink is being set up."""
        return self.session.role == "RESULTS_SINK"

    def fields(self) -> list[FieldOut]:
        """The chosen connector's fields for the chosen role (do not modify the list)."""
        key = (self.session.connector_type, self.session.role)
        if self._fields is None or self._fields[0] != key:
            connector = self.connector
            role = self.session.role or "INVENTORY_SOURCE"
            found = [] if connector is None else [f for f in connector.fields if role in f.roles]
            self._fields = (key, found)
        return self._fields[1]

    def field(self, name: str | None) -> FieldOut | None:
        """One field by name."""
        return next((f for f in self.fields() if f.name == name), None)

    def label(self, name: str) -> str:
        """A field's label in lower case, or its name in words."""
        field = self.field(name)
        return field.label.lower() if field else name.replace("_", " ")

    def asking_secret(self) -> bool:
        """Whether the question now open is for a secret."""
        field = self.field(self.session.asked)
        return field is not None and field.secret

    def declined_secret(self, text: str) -> FieldOut | None:
        """The secret field asked for, when ``text`` says there is none and none is fine.

        "No password" for a database login that has none; an empty masked form says the same.
        """
        field = self.field(self.session.asked)
        if field is None or not field.secret or not field.empty_ok:
            return None
        return field if parsing.says_nothing(text) else None

    def needed(self) -> list[FieldOut]:
        """Fields the chat asks for: required ones (a sink's signing secret too)."""
        wanted = []
        for f in self.fields():
            must = f.required or (self.is_sink and f.name == "signing_secret")
            if must:
                wanted.append(f)
        return wanted

    def absent(self) -> list[FieldOut]:
        """Needed fields with no answer at all (unlike :meth:`missing`, not the reasked ones)."""
        have = set(self.session.answers) | set(self.session.secret_refs) | set(self.pending_secrets)
        return [f for f in self.needed() if f.name not in have]

    def reasked(self) -> list[FieldOut]:
        """Answered fields a failed test points at, asked again unless the person retries."""
        failure = self.session.last_failure
        reask = set(failure.reask) if failure else set()
        absent = {f.name for f in self.absent()}
        return [f for f in self.needed() if f.name in reask and f.name not in absent]

    def missing(self) -> list[FieldOut]:
        """Needed fields without an answer, in spec order (reasked ones first)."""
        failure = self.session.last_failure
        reask = list(failure.reask) if failure else []
        absent = {f.name for f in self.absent()}
        # An optional field a failure points at (a malformed region) is asked too.
        missing = [f for f in self.fields() if f.name in absent or f.name in reask]
        return sorted(missing, key=lambda f: (f.name not in reask,))

    def reply_data(self) -> dict[str, Any]:
        """The reply's ``data`` as this turn leaves it (``task`` is added by the engine)."""
        data: dict[str, Any] = {"input_type": self.input_type}
        if self.required_fields is not None:
            data["required_fields"] = self.required_fields
        if self.secret_received:
            data["secret_received"] = True
        return data

    def secret_fields(self, required: list[str]) -> list[dict[str, str]]:
        """The secret fields still wanted (``required`` and the one asked), for a masked form."""
        wanted = {*required, self.session.asked}
        return [
            {"name": f.name, "label": f.label}
            for f in self.fields()
            if f.secret and f.name in wanted
        ]
