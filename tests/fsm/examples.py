"""Facts used across the FSM tests: named examples and the whole (small) space of facts."""

from __future__ import annotations

from itertools import product

from fsm import EditTarget, Facts

SOURCE = Facts()
SINK = Facts(is_sink=True)
COMPLETE = Facts(fields_complete=True)
RETRYABLE = Facts(fields_complete=True, last_test_failed=True)
STREAMS = Facts(has_streams=True)
NO_STREAMS = Facts(has_streams=False)
SCOPED = Facts(scoped=True)


def edit(target: EditTarget, *, is_sink: bool = False) -> Facts:
    return Facts(edit_target=target, is_sink=is_sink)


def every_facts() -> list[Facts]:
    """Every combination of flags and edit targets (192 of them)."""
    return [
        Facts(
            is_sink=is_sink,
            fields_complete=complete,
            last_test_failed=failed,
            has_streams=streams,
            scoped=scoped,
            edit_target=target,
        )
        for is_sink, complete, failed, streams, scoped, target in product(
            (False, True),
            (False, True),
            (False, True),
            (False, True),
            (False, True),
            (None, *EditTarget),
        )
    ]
