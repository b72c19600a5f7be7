"""Errors raised by the state machine.

Both are programming errors in the caller (the agent should have asked :func:`fsm.allowed`
first), so neither is retryable: firing the same event with the same facts fails the same way.

Tree::

    FsmError                      root of every error this package raises
    └── InvalidTransition         (state, event): the event does not apply in this state
        └── GuardRefused          (state, event, facts): it applies, but no guard accepts the facts
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fsm.facts import Facts
    from fsm.states import Event, State

__all__ = ["FsmError", "GuardRefused", "InvalidTransition"]


class FsmError(Exception):
    """Root of every error raised by :mod:`fsm`."""


class InvalidTransition(FsmError):  # noqa: N818 - public name the agent relies on
    """The event cannot be fired in this state.

    Attributes:
        state: The state the event was fired in.
        event: The event that was refused.
    """

    def __init__(self, state: State, event: Event, message: str | None = None) -> None:
        super().__init__(
            message or f"event {event.value!r} is not allowed in state {state.value!r}"
        )
        self.state = state
        self.event = event


class GuardRefused(InvalidTransition):
    """The event is known in this state, but none of its guards accepts the facts.

    For example ``EDIT`` in ``review`` with no ``edit_target``, or ``STREAMS`` as the target
    of a sink. Facts hold only flags, never a secret, so the message may show them.

    Attributes:
        facts: The facts that every candidate transition refused.
    """

    def __init__(self, state: State, event: Event, facts: Facts) -> None:
        super().__init__(
            state,
            event,
            f"event {event.value!r} in state {state.value!r} is refused by its guards: {facts!r}",
        )
        self.facts = facts
