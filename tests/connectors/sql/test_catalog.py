"""The catalog builder: shared columns, cursor ranking, and the paused collector."""

from __future__ import annotations

import gc

from connectors.results import Column
from connectors.sql.catalog import StreamBuilder, collector_paused
from connectors.sql.session import TableRef


def test_builder_columns_equal_validated_columns_and_are_shared() -> None:
    builder = StreamBuilder()

    column = builder.column("updated_at", "timestamp", nullable=True)

    assert column == Column(name="updated_at", type="timestamp", nullable=True)
    assert column.model_fields_set == {"name", "type", "nullable"}
    assert builder.column("updated_at", "timestamp", nullable=True) is column


def test_a_builder_stream_ranks_cursors_from_the_key_and_identities() -> None:
    builder = StreamBuilder()
    columns = [
        builder.column("order_no", "integer", nullable=False),
        builder.column("line", "integer", nullable=False),
        builder.column("created_at", "timestamp", nullable=True),
    ]

    stream = builder.stream(TableRef("sales", "lines"), columns, increasing=["line"])

    assert stream.cursor_candidates == ("created_at", "line")
    assert stream.name == "sales.lines"


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_resume_the_collector_only_when_the_last_ends() -> None:
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # another build is still running

    second.__exit__(None, None, None)

    assert gc.isenabled()
