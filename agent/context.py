"""What one turn works with: the session, the user's client, and the connector's fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent import parsing
from connections.client import ConnectionClient
from connections.schemas import ConnectorTypeOut, FieldOut
from sessions import Session

__all__ = ["TurnContext"]


@dataclass
class TurnContext:
    """Mutable state of one turn; the reply is assembled from ``lines`` at the end."""

    session: Session
    client: ConnectionClient
    types: list[ConnectorTypeOut]
    lines: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    start_task: str | None = None  # "test" or "discover": work to start after the turn
    # The turn asked nothing new (help, status, a message it could not use): the quick
    # replies already on screen still answer the open question, so the reply repeats them.
    keep_options: bool = False
    # Names the agent's sources and sinks already have, where a proposed name must differ.
    taken_names: frozenset[str] = frozenset()
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
        pending = self.data.get("_pending_secrets", {})
        have = set(self.session.answers) | set(self.session.secret_refs) | set(pending)
        return [f for f in self.needed() if f.name not in have]

    def reasked(self) -> list[FieldOut]:
        """Answered fields a failed test points at, asked again unless the person retries."""
        reask = set((self.session.last_failure or {}).get("reask", []))
        absent = {f.name for f in self.absent()}
        return [f for f in self.needed() if f.name in reask and f.name not in absent]

    def missing(self) -> list[FieldOut]:
        """Needed fields without an answer, in spec order (reasked ones first)."""
        pending = self.data.get("_pending_secrets", {})
        have = set(self.session.answers) | set(self.session.secret_refs) | set(pending)
        reask = list((self.session.last_failure or {}).get("reask", []))
        missing = [f for f in self.needed() if f.name not in have or f.name in reask]
        return sorted(missing, key=lambda f: (f.name not in reask,))
