"""The one shared ``transitions`` machine, and the two calls the agent makes on it.

A session is data: it stores its state as a string and holds no machine and no model, so an idle
session costs nothing here. Every turn borrows the single internal model: :func:`fire` sets the
model to the session's state, triggers the event with the facts as its argument (``transitions``
hands a trigger's arguments to every condition, so the guards read the facts from the event
itself, never from state left behind by another turn) and reads the new state back. A lock makes
that set-trigger-read step atomic, so threads may share the machine as well as coroutines.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from transitions import Machine, MachineError

from fsm.errors import GuardRefused, InvalidTransition
from fsm.facts import Facts
from fsm.states import Event, State
from fsm.table import INITIAL, TRANSITIONS, Transition

__all__ = ["allowed", "fire", "shared_machine"]


class _Model:
    """The single model the shared machine drives; it holds only the state being computed."""

    state: str


def _build() -> tuple[Machine, _Model]:
    model = _Model()
    machine = Machine(
        model=model,
        states=[state.value for state in State],
        initial=INITIAL.value,
        auto_transitions=False,
        ignore_invalid_triggers=False,
        send_event=False,
    )
    for row in TRANSITIONS:
        conditions: list[str | Callable[..., bool | None]] = list(row.guards)
        machine.add_transition(
            row.event.value,
            [state.value for state in row.sources],
            row.dest.value,
            conditions=conditions,
        )
    return machine, model


def _index() -> dict[State, tuple[Transition, ...]]:
    rows: dict[State, list[Transition]] = {state: [] for state in State}
    for row in TRANSITIONS:
        for source in row.sources:
            rows[source].append(row)
    return {state: tuple(found) for state, found in rows.items()}


_MACHINE, _MODEL = _build()
_LOCK = threading.Lock()
_BY_SOURCE = _index()


def fire(state: State, event: Event, facts: Facts) -> State:
    """Return the state that ``event`` leads to from ``state``, given ``facts``.

    Args:
        state: The session's current state (a stored lower-case string is accepted too).
        event: What happened.
        facts: What the guards decide on.

    Returns:
        The new state. Nothing is stored: the caller saves it in the session.

    Raises:
        InvalidTransition: ``event`` does not apply in ``state``.
        GuardRefused: it applies, but no guard accepts ``facts`` (a subclass of the above).
    """
    state, event = State(state), Event(event)
    with _LOCK:
        _MACHINE.set_state(state.value, model=_MODEL)
        try:
            moved = _MACHINE.events[event.value].trigger(_MODEL, facts)
        except MachineError as exc:
            raise InvalidTransition(state, event) from exc
        if not moved:
            raise GuardRefused(state, event, facts)
        return State(_MODEL.state)


def allowed(state: State, facts: Facts) -> frozenset[Event]:
    """Return the events that :func:`fire` would accept in ``state`` with ``facts``.

    Read from the table, without touching the machine, so it is cheap enough to call on
    every turn (the agent uses it to decide what to offer and what ``back`` means).
    """
    return frozenset(
        row.event for row in _BY_SOURCE[State(state)] if all(guard(facts) for guard in row.guards)
    )


def shared_machine() -> Machine:
    """Return the one machine every session shares (for introspection and tests)."""
    return _MACHINE
