"""The process-wide registry of secret values that no log line, message or transcript shows.

Values are registered the moment the process learns them (typed in the chat, decrypted from
the vault, read from configuration) and compiled, with the forms in which they tend to leak
(:func:`core.redaction.text.forms`), into one pattern that :func:`redact_text` applies.

Every registration has an owner, because the pattern must not grow with every conversation
the process has ever had:

- a chat session's turns run inside ``secrets_owned_by(session_id)``, a pull inside
  ``secrets_owned_by(sync_id)``: whatever registers a value in that block, or in a task
  started from it (the owner is a context variable, which asyncio tasks and
  ``asyncio.to_thread`` copy), registers it for that owner;
- when the owner ends (the session is deleted, its setup done or cancelled, it expires; the
  pull finishes) :func:`release_secrets` drops all of its values at once;
- outside any such block a value belongs to :data:`PROCESS` and stays for the process's
  life: configuration secrets (database URL, vault keys, Slack tokens) are registered so.

A value stays redacted while any owner holds it, so one owner letting go never unmasks a
value another still holds.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any

from core.redaction.keys import is_secret_key
from core.redaction.text import MIN_ANYWHERE, REDACTED, forms

__all__ = [
    "PROCESS",
    "SecretRegistry",
    "holds_secret",
    "redact_mapping",
    "redact_text",
    "register_secret",
    "registered_secrets",
    "registry",
    "release_secrets",
    "secrets_owned_by",
    "unregister_secret",
]

PROCESS = "process"
"""The owner of registrations made outside any :meth:`SecretRegistry.owned` block: never
released (configuration secrets)."""

# A value this short would redact innocent words from every log line, so it is not
# registered at all (it is still masked under a secret-named key, and a message it was typed
# in redacts it where it stands apart, see ``core.redaction.text``).
_MIN_SECRET_LENGTH = MIN_ANYWHERE
_blocks = itertools.count()


class SecretRegistry:
    """A thread-safe set of secret values by owner, compiled into one regular expression."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, dict[str, int]] = {}  # owner -> value -> registrations
        self._counts: dict[str, int] = {}  # value -> registrations over every owner
        self._pattern: re.Pattern[str] | None = None
        self._owner: ContextVar[str] = ContextVar(f"secret_owner_{id(self)}", default=PROCESS)

    # -- owners ------------------------------------------------------------------------------

    @contextmanager
    def owned(self, owner: str) -> Iterator[None]:
        """Register for ``owner`` whatever registers without naming an owner in this block.

        The block only sets the owner; it releases nothing (a chat session spans many
        turns). Tasks started inside the block keep the owner after it closes.
        """
        token = self._owner.set(owner)
        try:
            yield
        finally:
            self._owner.reset(token)

    def current_owner(self) -> str:
        """The owner a registration made here would have."""
        return self._owner.get()

    def release(self, owner: str) -> int:
        """Drop every registration of ``owner``; return how many values it held.

        Raises:
            ValueError: ``owner`` is :data:`PROCESS`, whose values are never released.
        """
        if owner == PROCESS:
            raise ValueError("process-lifetime secrets are never released")
        with self._lock:
            held = self._held.pop(owner, None)
            if not held:
                return 0
            if self._drop(held):
                self._compile()
            return len(held)

    def owners(self) -> list[str]:
        """The owners that hold at least one value (:data:`PROCESS` included)."""
        with self._lock:
            return list(self._held)

    # -- values ------------------------------------------------------------------------------

    def register(self, value: str, *, owner: str | None = None) -> None:
        """Redact ``value`` (and its encodings) until ``owner`` lets go of it.

        ``owner`` defaults to the current :meth:`owned` block's, or :data:`PROCESS`.
        """
        if len(value) < _MIN_SECRET_LENGTH:
            return
        owner = owner or self._owner.get()
        with self._lock:
            held = self._held.setdefault(owner, {})
            held[value] = held.get(value, 0) + 1
            total = self._counts.get(value, 0)
            self._counts[value] = total + 1
            if not total:
                self._compile()

    def unregister(self, value: str, *, owner: str | None = None) -> None:
        """Drop one registration of ``value`` by ``owner`` (default as for :meth:`register`)."""
        owner = owner or self._owner.get()
        with self._lock:
            held = self._held.get(owner)
            if held is None or value not in held:
                return
            held[value] -= 1
            if not held[value]:
                del held[value]
                if not held:
                    del self._held[owner]
            if self._drop({value: 1}):
                self._compile()

    def _drop(self, registrations: Mapping[str, int]) -> bool:
        """Subtract ``registrations`` from the totals; whether a value is gone (lock held)."""
        gone = False
        for value, count in registrations.items():
            left = self._counts[value] - count
            if left:
                self._counts[value] = left
            else:
                del self._counts[value]
                gone = True
        return gone

    def _compile(self) -> None:
        found = {form for value in self._counts for form in forms(value)}
        # Longest first, so a value is replaced whole before any of its substrings.
        ordered = sorted((f for f in found if len(f) >= _MIN_SECRET_LENGTH), key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    def redact(self, text: str) -> str:
        """Replace every registered value found in ``text``."""
        pattern = self._pattern
        if pattern is None:
            return text
        return pattern.sub(REDACTED, text)

    def holds(self, value: str, *, owner: str | None = None) -> bool:
        """Whether ``owner`` (default: the current :meth:`owned` block's) registered ``value``.

        Per owner, so one chat session never learns what another's secrets are.
        """
        owner = owner or self._owner.get()
        with self._lock:
            return value in self._held.get(owner, {})

    def __contains__(self, value: object) -> bool:
        """Whether ``value`` is registered, by any owner."""
        return value in self._counts

    def __len__(self) -> int:
        """How many distinct values are registered."""
        return len(self._counts)

    # -- for tests ---------------------------------------------------------------------------

    def snapshot(self) -> dict[str, dict[str, int]]:
        """Every owner's registrations (for tests that restore them)."""
        with self._lock:
            return {owner: dict(held) for owner, held in self._held.items()}

    def restore(self, snapshot: Mapping[str, Mapping[str, int]]) -> None:
        """Hold exactly the registrations of an earlier :meth:`snapshot` (for tests)."""
        with self._lock:
            self._held = {owner: dict(held) for owner, held in snapshot.items() if held}
            self._counts = {}
            for held in self._held.values():
                for value, count in held.items():
                    self._counts[value] = self._counts.get(value, 0) + count
            self._compile()

    def clear(self) -> None:
        """Forget every value, whoever registered it (for tests; prefer ``release``)."""
        with self._lock:
            self._held.clear()
            self._counts.clear()
            self._pattern = None


registry = SecretRegistry()


def register_secret(value: str, *, owner: str | None = None) -> None:
    """Register ``value`` in the process-wide registry (see :meth:`SecretRegistry.register`)."""
    registry.register(value, owner=owner)


def holds_secret(value: str) -> bool:
    """Whether the current owner (a chat session's turn) registered ``value`` as a secret."""
    return registry.holds(value)


def unregister_secret(value: str, *, owner: str | None = None) -> None:
    """Drop one registration of ``value`` from the process-wide registry."""
    registry.unregister(value, owner=owner)


def secrets_owned_by(owner: str) -> AbstractContextManager[None]:
    """Register for ``owner`` what the block registers (see :meth:`SecretRegistry.owned`)."""
    return registry.owned(owner)


def release_secrets(owner: str) -> int:
    """Drop every value ``owner`` registered; how many it held."""
    return registry.release(owner)


@contextmanager
def registered_secrets(*values: str) -> Iterator[None]:
    """Keep ``values`` registered for the duration of the block, then drop them again."""
    owner = f"block:{next(_blocks)}"
    for value in values:
        register_secret(value, owner=owner)
    try:
        yield
    finally:
        release_secrets(owner)


def redact_text(text: str) -> str:
    """Redact registered secret values from ``text``."""
    return registry.redact(text)


def redact_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """Copy ``data`` with secret-named keys masked and registered values redacted, deeply."""
    return {k: REDACTED if is_secret_key(str(k)) else _redact_value(v) for k, v in data.items()}


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return redact_mapping(value)
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value
