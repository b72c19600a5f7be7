"""The per-stream read state: typed cursor values survive the trip through JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from connectors.sql.state import StreamState, stream_states


@pytest.mark.parametrize(
    "value",
    [
        42,
        Decimal("10.50"),
        dt.datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=dt.UTC),
        dt.datetime(2024, 5, 1, 10, 0),  # noqa: DTZ001 - a timestamp without time zone
        dt.date(2024, 5, 1),
        "b-0042",
    ],
    ids=lambda v: type(v).__name__,
)
def test_cursor_values_come_back_as_the_same_type(value: object) -> None:
    saved = json.loads(json.dumps(StreamState("updated_at", value).to_json()))

    restored = StreamState.from_json(saved)

    assert restored == StreamState("updated_at", value)
    assert type(restored.cursor) is type(value)


def test_full_refresh_state_says_so() -> None:
    assert StreamState().to_json() == {"mode": "full_refresh"}
    assert not StreamState.from_json({"mode": "full_refresh"}).incremental


@pytest.mark.parametrize(
    "saved",
    [
        None,
        "garbage",
        {"mode": "incremental"},
        {"mode": "incremental", "cursor_field": ""},
    ],
    ids=["none", "text", "no-field", "empty-field"],
)
def test_unreadable_states_start_over(saved: Any) -> None:
    assert StreamState.from_json(saved) == StreamState()


def test_a_bad_saved_value_keeps_the_cursor_column_and_starts_from_the_beginning() -> None:
    saved = {"mode": "incremental", "cursor_field": "id", "cursor": "x", "cursor_type": "integer"}

    assert StreamState.from_json(saved) == StreamState("id", None)


def test_stream_states_copies_the_streams_entry() -> None:
    state = {"streams": {"public.a": {"mode": "full_refresh"}}}

    copied = stream_states(state)
    copied["public.b"] = {}

    assert list(state["streams"]) == ["public.a"]
    assert stream_states({}) == {}
