"""The transition table: the one declaration that the machine, ``allowed()`` and the diagram use.

Rows are tried in order for a (state, event) pair and the first whose guards all hold wins; the
guards of rows sharing a pair are mutually exclusive, so the order never changes the outcome.

``BACK`` goes to the previous step where the person answers something, skipping the steps that
only wait for a check:

=================  ==================================  =========================================
from               to                                  why
=================  ==================================  =========================================
gather_credentials select_source_type                  pick another type
test_connection    gather_credentials                  stop waiting; change the answers
discover_schema    gather_credentials                  stop waiting; change the answers
select_streams     discover_schema [scoped]            the schema question was the last answer
select_streams     gather_credentials [not scoped]     changed answers need a new test
configure_sync     select_streams [source]             sinks have no streams, so:
configure_sync     gather_credentials [sink]
review             configure_sync
=================  ==================================  =========================================

``welcome``, ``select_source_type``, ``execute`` and ``done`` have no ``BACK``: there is nothing
before the first two, a create in flight must finish (``EXECUTED`` or ``EXECUTE_FAILED``) first,
and ``done`` starts over with ``RESTART``.

``EDIT`` goes to the state that owns the answer named by ``Facts.edit_target``: from ``review``,
``source_type`` → ``select_source_type``, ``credentials`` → ``gather_credentials`` (the connection
is tested again), ``streams`` → ``select_streams`` (sources only), ``schedule`` →
``configure_sync``. A connection setting or the schema scope changed while choosing streams or the
schedule takes effect at once too: ``credentials`` → ``gather_credentials`` and ``scope`` →
``discover_schema`` (discovered again) from ``select_streams``, ``configure_sync`` and ``review``.
Unlike ``CANCEL``, an edit keeps the other answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from fsm.facts import (
    FIELDS_COMPLETE,
    HAS_STREAMS,
    NO_STREAMS,
    SCOPED,
    SINK,
    SOURCE,
    TEST_FAILED,
    UNSCOPED,
    Guard,
    editing,
)
from fsm.states import EditTarget, Event, State

__all__ = ["INITIAL", "TRANSITIONS", "Transition"]

INITIAL = State.WELCOME
"""The state a new session starts in."""


@dataclass(frozen=True, slots=True)
class Transition:
    """One row: ``event`` fired in any of ``sources`` leads to ``dest`` when every guard holds.

    Attributes:
        event: The trigger.
        sources: The states the event applies in.
        dest: The state it leads to.
        guards: Conditions on the facts; all must hold (none means always).
    """

    event: Event
    sources: tuple[State, ...]
    dest: State
    guards: tuple[Guard, ...] = ()


def _row(
    event: Event, sources: State | tuple[State, ...], dest: State, *guards: Guard
) -> Transition:
    return Transition(event, sources if isinstance(sources, tuple) else (sources,), dest, guards)


# Where a connection setting or the schema scope can still be changed with effect at once.
_LATER = (State.SELECT_STREAMS, State.CONFIGURE_SYNC, State.REVIEW)

TRANSITIONS: tuple[Transition, ...] = (
    # The way forward.
    _row(Event.START, State.WELCOME, State.SELECT_SOURCE_TYPE),
    _row(Event.TYPE_CHOSEN, State.SELECT_SOURCE_TYPE, State.GATHER_CREDENTIALS),
    _row(Event.FIELDS_COMPLETE, State.GATHER_CREDENTIALS, State.TEST_CONNECTION, FIELDS_COMPLETE),
    _row(
        Event.RETRY, State.GATHER_CREDENTIALS, State.TEST_CONNECTION, TEST_FAILED, FIELDS_COMPLETE
    ),
    _row(Event.TEST_PASSED, State.TEST_CONNECTION, State.DISCOVER_SCHEMA, SOURCE),
    _row(Event.TEST_PASSED, State.TEST_CONNECTION, State.CONFIGURE_SYNC, SINK),
    _row(Event.TEST_FAILED, State.TEST_CONNECTION, State.GATHER_CREDENTIALS),
    _row(Event.DISCOVERED, State.DISCOVER_SCHEMA, State.SELECT_STREAMS, HAS_STREAMS),
    # Zero streams: explain the likely causes and let the person fix the prefix, schema or key.
    _row(Event.DISCOVERED, State.DISCOVER_SCHEMA, State.GATHER_CREDENTIALS, NO_STREAMS),
    _row(Event.DISCOVERY_FAILED, State.DISCOVER_SCHEMA, State.GATHER_CREDENTIALS),
    _row(Event.STREAMS_CHOSEN, State.SELECT_STREAMS, State.CONFIGURE_SYNC),
    _row(Event.SYNC_CONFIGURED, State.CONFIGURE_SYNC, State.REVIEW),
    _row(Event.CONFIRMED, State.REVIEW, State.EXECUTE),
    _row(Event.EXECUTED, State.EXECUTE, State.DONE),
    _row(Event.EXECUTE_FAILED, State.EXECUTE, State.REVIEW),
    # Back: see the module docstring.
    _row(Event.BACK, State.GATHER_CREDENTIALS, State.SELECT_SOURCE_TYPE),
    _row(Event.BACK, (State.TEST_CONNECTION, State.DISCOVER_SCHEMA), State.GATHER_CREDENTIALS),
    _row(Event.BACK, State.SELECT_STREAMS, State.DISCOVER_SCHEMA, SCOPED),
    _row(Event.BACK, State.SELECT_STREAMS, State.GATHER_CREDENTIALS, UNSCOPED),
    _row(Event.BACK, State.CONFIGURE_SYNC, State.SELECT_STREAMS, SOURCE),
    _row(Event.BACK, State.CONFIGURE_SYNC, State.GATHER_CREDENTIALS, SINK),
    _row(Event.BACK, State.REVIEW, State.CONFIGURE_SYNC),
    # Edit: to the state that owns the answer.
    _row(Event.EDIT, State.REVIEW, State.SELECT_SOURCE_TYPE, editing(EditTarget.SOURCE_TYPE)),
    _row(Event.EDIT, _LATER, State.GATHER_CREDENTIALS, editing(EditTarget.CREDENTIALS)),
    _row(Event.EDIT, _LATER, State.DISCOVER_SCHEMA, editing(EditTarget.SCOPE), SOURCE),
    _row(Event.EDIT, State.REVIEW, State.SELECT_STREAMS, editing(EditTarget.STREAMS), SOURCE),
    _row(Event.EDIT, State.REVIEW, State.CONFIGURE_SYNC, editing(EditTarget.SCHEDULE)),
    # Starting over.
    _row(Event.CANCEL, tuple(s for s in State if s is not State.DONE), State.SELECT_SOURCE_TYPE),
    _row(Event.RESTART, State.DONE, State.SELECT_SOURCE_TYPE),
)
"""Every transition of the conversation, in reading order."""
