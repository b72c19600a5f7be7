"""Stream naming and the incremental cursor: pure rules, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.errors import InvalidConfigError
from connectors.results import FileInfo
from connectors.s3.cursor import CursorTracker, S3Cursor, cursors_from_state
from connectors.s3.listing import StreamFiles, stream_name

T0 = datetime(2026, 5, 25, 12, 0, tzinfo=UTC)


def _file(key: str, minutes: int = 0, etag: str = "e1") -> FileInfo:
    return FileInfo(key=key, size=10, etag=etag, last_modified=T0 + timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("key", "prefix", "expected"),
    [
        ("daily/2026-05-25/booking.csv", "daily/", "booking"),
        ("daily/booking_2026-05-26.csv", "daily/", "booking"),
        ("daily/Expedia-Export 20260526T1000Z.csv", "daily/", "expedia_export"),
        ("daily/orders/2026-05-25.csv", "daily/", "orders"),
        ("daily/part-00017.csv", "daily/", "part"),
        ("daily/2026-05-25.csv", "daily/", "daily"),
        ("2026-05-25.csv", "", "files"),
    ],
    ids=[
        "date-folder",
        "date-suffix",
        "timestamp-suffix",
        "dated-file-in-folder",
        "counter",
        "only-a-date-uses-prefix",
        "nothing-left",
    ],
)
def test_stream_name_groups_deliveries_of_one_feed(key: str, prefix: str, expected: str) -> None:
    assert stream_name(key, prefix) == expected


def test_empty_cursor_reads_everything_oldest_first() -> None:
    files = [_file("b.csv", 5), _file("a.csv", 1)]

    assert [f.key for f in S3Cursor().new_files(files)] == ["a.csv", "b.csv"]


def test_cursor_skips_files_already_read() -> None:
    cursor = S3Cursor().advance(_file("a.csv", 1)).advance(_file("b.csv", 5))

    assert cursor.new_files([_file("a.csv", 1), _file("b.csv", 5)]) == []


def test_late_visible_object_with_older_timestamp_is_read_once() -> None:
    cursor = S3Cursor().advance(_file("b.csv", 5))
    late = _file("a.csv", 1)  # written before b.csv, listed only now

    assert cursor.new_files([late, _file("b.csv", 5)]) == [late]
    assert cursor.advance(late).new_files([late]) == []


def test_object_older_than_the_lookback_window_is_not_reread() -> None:
    cursor = S3Cursor(lookback_seconds=60).advance(_file("b.csv", 10))

    assert cursor.new_files([_file("a.csv", 1)]) == []


def test_changed_etag_is_new() -> None:
    cursor = S3Cursor().advance(_file("a.csv", 1, etag="v1"))

    assert cursor.new_files([_file("a.csv", 1, etag="v2")]) != []


def test_seen_keys_outside_the_window_are_forgotten() -> None:
    cursor = S3Cursor(lookback_seconds=60).advance(_file("old.csv", 0))

    cursor = cursor.advance(_file("new.csv", 30))

    assert set(cursor.seen) == {"new.csv"}


def test_cursor_round_trips_through_state() -> None:
    cursor = S3Cursor().advance(_file("a.csv", 1))

    assert S3Cursor.from_state(cursor.to_state()) == cursor


def test_tracker_agrees_with_advancing_the_cursor_file_by_file() -> None:
    files = [_file(f"f{i}.csv", minutes=i * 7) for i in range(40)]
    cursor = S3Cursor(lookback_seconds=1800)
    tracker = CursorTracker(cursor)

    for file in files:
        cursor = cursor.advance(file)
        tracker.advance(file)

    assert tracker.snapshot() == cursor
    assert S3Cursor.from_state(tracker.snapshot().to_state()) == cursor


def test_tracker_forgets_nothing_it_still_needs_between_prunings() -> None:
    tracker = CursorTracker(S3Cursor(lookback_seconds=60))
    tracker.advance(_file("old.csv", 0, etag="v1"))
    tracker.advance(_file("new.csv", 30))

    # old.csv fell out of the window but may not be pruned yet: it must still count as read.
    assert not tracker.is_new(_file("old.csv", 0, etag="v1"))
    assert not tracker.is_new(_file("old.csv", 0, etag="v2"))
    assert tracker.is_new(_file("newer.csv", 31))
    assert set(tracker.snapshot().seen) == {"new.csv"}


def test_tracker_snapshot_is_reused_until_the_next_advance() -> None:
    tracker = CursorTracker()
    tracker.advance(_file("a.csv", 1))

    first = tracker.snapshot()
    again = tracker.snapshot()
    tracker.advance(_file("b.csv", 2))

    assert again is first
    assert tracker.snapshot() is not first
    assert set(first.seen) == {"a.csv"}


def test_read_state_holds_one_cursor_per_stream() -> None:
    orders = S3Cursor().advance(_file("orders.csv", 1))
    state = {"streams": {"orders": orders.to_state(), "refunds": S3Cursor().to_state()}}

    assert cursors_from_state(state) == {"orders": orders, "refunds": S3Cursor()}
    assert cursors_from_state({}) == {}


@pytest.mark.parametrize(
    "state",
    [{"streams": ["orders"]}, {"streams": {"orders": {"seen": "nope"}}}],
    ids=["streams-not-a-mapping", "cursor-malformed"],
)
def test_a_foreign_read_state_is_refused(state: dict[str, object]) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        cursors_from_state(state)

    assert caught.value.field == "state"


def test_stream_files_counts_everything_and_keeps_only_the_newest() -> None:
    files = StreamFiles()
    for i in range(10):
        files.add(_file(f"f{i}.csv", minutes=i), keep=3)

    assert (files.count, files.size) == (10, 100)
    assert [f.key for f in files.newest()] == ["f9.csv", "f8.csv", "f7.csv"]
