"""What the guards know: the facts the agent passes with every event, and the guards over them.

Guards are pure functions of :class:`Facts`; they never look at a session, a message or the
network, so the table can be tested (and drawn) on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fsm.states import EditTarget

__all__ = [
    "FIELDS_COMPLETE",
    "HAS_STREAMS",
    "NO_STREAMS",
    "SCOPED",
    "SINK",
    "SOURCE",
    "TEST_FAILED",
    "UNSCOPED",
    "Facts",
    "Guard",
    "editing",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """The flags that decide between transitions, as the agent knows them at this turn.

    Attributes:
        is_sink: The connection sends results out (a sink) rather than pulling data in.
        fields_complete: Every required field of the chosen type has an answer.
        last_test_failed: The most recent connection test failed.
        has_streams: The latest discovery found at least one stream.
        scoped: Discovery looked only at the schemas the person picked when asked.
        edit_target: For ``EDIT``: which answer the person wants to change.
    """

    is_sink: bool = False
    fields_complete: bool = False
    last_test_failed: bool = False
    has_streams: bool = False
    scoped: bool = False
    edit_target: EditTarget | None = None


@dataclass(frozen=True, slots=True)
class Guard:
    """A named condition on :class:`Facts`; callable, so it is a ``transitions`` condition as is.

    Attributes:
        label: Short words shown in the diagram, as in ``TEST_PASSED [source]``.
        meaning: One sentence for the documentation.
        check: The pure predicate.
    """

    label: str
    meaning: str
    check: Callable[[Facts], bool]

    def __call__(self, facts: Facts) -> bool:
        """Return whether ``facts`` satisfy this guard."""
        return self.check(facts)


SOURCE = Guard(
    "source", "The connection is a data source (pulls data in).", lambda f: not f.is_sink
)
SINK = Guard("sink", "The connection is a results sink (pushes results out).", lambda f: f.is_sink)
FIELDS_COMPLETE = Guard(
    "fields complete",
    "Every required field has an answer.",
    lambda f: f.fields_complete,
)
TEST_FAILED = Guard(
    "test failed",
    "The most recent connection test failed.",
    lambda f: f.last_test_failed,
)
HAS_STREAMS = Guard(
    "streams found",
    "Discovery found at least one stream.",
    lambda f: f.has_streams,
)
NO_STREAMS = Guard(
    "no streams",
    "Discovery found nothing to pull (permissions, an empty prefix, a wrong schema...).",
    lambda f: not f.has_streams,
)

SCOPED = Guard(
    "scoped",
    "The person was asked which schemas to discover.",
    lambda f: f.scoped,
)
UNSCOPED = Guard(
    "not scoped",
    "Discovery was not narrowed by a schema question.",
    lambda f: not f.scoped,
)


def editing(target: EditTarget) -> Guard:
    """Return the guard that holds when ``EDIT`` targets ``target``."""
    return Guard(
        f"edit {target.value.replace('_', ' ')}",
        f"The person wants to change the {target.value.replace('_', ' ')}.",
        lambda f: f.edit_target == target,
    )
