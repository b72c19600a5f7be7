"""The conversation's state machine: states, the transition table, one shared machine. Pure.

``fsm`` imports nothing of ours and does no I/O (apart from :func:`write_diagram`, a dev tool).
A session keeps its state as a string; the agent asks :func:`allowed` what it may offer and calls
:func:`fire` to move::

    state = fire(State(session.state), Event.TEST_PASSED, Facts(is_sink=True))

Errors (see :mod:`fsm.errors`)::

    FsmError
    └── InvalidTransition         (state, event)
        └── GuardRefused          (state, event, facts)
"""

from fsm.diagram import document, mermaid, write_diagram
from fsm.errors import FsmError, GuardRefused, InvalidTransition
from fsm.facts import Facts, Guard
from fsm.machine import allowed, fire, shared_machine
from fsm.states import EditTarget, Event, State
from fsm.table import INITIAL, TRANSITIONS, Transition

__all__ = [
    "INITIAL",
    "TRANSITIONS",
    "EditTarget",
    "Event",
    "Facts",
    "FsmError",
    "Guard",
    "GuardRefused",
    "InvalidTransition",
    "State",
    "Transition",
    "allowed",
    "document",
    "fire",
    "mermaid",
    "shared_machine",
    "write_diagram",
]
