"""Stream naming and the incremental cursor: pure rules, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.results import FileInfo
from connectors.s3.listing import S3Cursor, stream_name

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
