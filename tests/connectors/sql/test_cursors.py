"""Cursor candidates: update timestamps first, then insert times, counters, other times."""

from __future__ import annotations

from connectors.sql.cursors import CursorFacts, cursor_candidates


def test_update_timestamps_come_before_creation_times_and_counters() -> None:
    columns = [
        CursorFacts("id", "integer", increasing=True),
        CursorFacts("created_at", "timestamp"),
        CursorFacts("name", "string"),
        CursorFacts("modified_on", "timestamp"),
        CursorFacts("birth_date", "timestamp"),
    ]

    assert cursor_candidates(columns) == ("modified_on", "created_at", "id", "birth_date")


def test_camel_case_and_upper_case_names_are_recognised() -> None:
    columns = [
        CursorFacts("CREATED_AT", "timestamp"),
        CursorFacts("lastModified", "timestamp"),
        CursorFacts("UPDATED_AT", "timestamp"),
    ]

    assert cursor_candidates(columns) == ("lastModified", "UPDATED_AT", "CREATED_AT")


def test_only_increasing_integers_are_candidates() -> None:
    columns = [
        CursorFacts("customer_id", "integer"),
        CursorFacts("quantity", "integer"),
        CursorFacts("seq", "integer"),
        CursorFacts("order_no", "integer", increasing=True),
        CursorFacts("price", "number"),
    ]

    assert cursor_candidates(columns) == ("seq", "order_no")


def test_a_table_without_times_or_counters_has_no_candidates() -> None:
    assert cursor_candidates([CursorFacts("name", "string"), CursorFacts("ok", "boolean")]) == ()
