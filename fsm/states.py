"""The names the conversation moves through: states, events and edit targets.

Enum names are upper-case (``SELECT_SOURCE_TYPE``); their values are the lower-case strings that
JSON carries and that a stored session keeps (``"select_source_type"``), so
``State(session.state)`` and ``state.value`` convert between the two.
"""

from __future__ import annotations

from enum import StrEnum, auto

__all__ = ["EditTarget", "Event", "State"]


class State(StrEnum):
    """Where a conversation is (seed 002's states, then ``done``)."""

    WELCOME = auto()
    SELECT_SOURCE_TYPE = auto()
    GATHER_CREDENTIALS = auto()
    TEST_CONNECTION = auto()
    DISCOVER_SCHEMA = auto()
    SELECT_STREAMS = auto()
    CONFIGURE_SYNC = auto()
    REVIEW = auto()
    EXECUTE = auto()
    DONE = auto()


class Event(StrEnum):
    """What happened in a turn; the agent fires one per state change it wants.

    Which state each event leads to, and under which facts, is the table in :mod:`fsm.table`.
    """

    START = auto()
    """The session was opened: offer the connector types."""
    TYPE_CHOSEN = auto()
    """The person named a connector type."""
    FIELDS_COMPLETE = auto()
    """Every required field now has an answer: test the connection."""
    RETRY = auto()
    """Test again with unchanged answers after a failed test (the fix was made elsewhere)."""
    TEST_PASSED = auto()
    """The connection test succeeded."""
    TEST_FAILED = auto()
    """The connection test failed: ask again for what the failure points at."""
    DISCOVERED = auto()
    """Schema discovery finished (with or without streams)."""
    DISCOVERY_FAILED = auto()
    """Schema discovery failed."""
    STREAMS_CHOSEN = auto()
    """The person chose which streams to pull."""
    SYNC_CONFIGURED = auto()
    """The schedule (and, for sinks, the push rules) are settled."""
    CONFIRMED = auto()
    """The person accepted the review: create it."""
    EXECUTED = auto()
    """The connection was created (possibly with a partial failure of schedule or first sync)."""
    EXECUTE_FAILED = auto()
    """Creating the connection failed: nothing was created, back to the review."""
    BACK = auto()
    """Go to the previous meaningful step."""
    EDIT = auto()
    """From the review, change one answer (see :class:`EditTarget`)."""
    CANCEL = auto()
    """Start over: drop the answers and offer the connector types again."""
    RESTART = auto()
    """After ``done``, connect something else."""


class EditTarget(StrEnum):
    """Which answer an ``EDIT`` changes; each is owned by one state."""

    SOURCE_TYPE = auto()
    """The connector type (answers that still fit the new type may be kept)."""
    CREDENTIALS = auto()
    """Any connection field, secret or not (host, port, bucket, prefix, key pair...)."""
    SCOPE = auto()
    """Which schemas discovery looks at (sources only): discovered again at once."""
    STREAMS = auto()
    """The chosen streams (sources only: sinks have none)."""
    SCHEDULE = auto()
    """The schedule or, for sinks, the push rules."""
