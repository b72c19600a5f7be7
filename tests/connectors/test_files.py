"""The look-back rule every file source decides "new" by: pure, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.files import LookBack
from connectors.results import FileInfo

T0 = datetime(2026, 5, 25, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _file(key: str, minutes: int = 0, etag: str = "e1") -> FileInfo:
    return FileInfo(key=key, size=10, etag=etag, last_modified=T0 + timedelta(minutes=minutes))


def test_never_read_takes_every_file_not_seen() -> None:
    rule = LookBack(None, HOUR, {("a.csv", "e1")})

    assert rule.start is None
    assert rule.is_new(_file("b.csv", -10_000))
    assert not rule.is_new(_file("a.csv", -10_000))


def test_a_file_seen_with_the_same_etag_is_not_new() -> None:
    rule = LookBack(T0, HOUR, {("a.csv", "e1")})

    assert not rule.is_new(_file("a.csv", 0))


def test_a_rewritten_file_is_new() -> None:
    rule = LookBack(T0, HOUR, {("a.csv", "e1")})

    assert rule.is_new(_file("a.csv", 0, etag="e2"))


def test_a_file_visible_late_inside_the_window_is_new() -> None:
    rule = LookBack(T0, HOUR, set())

    assert rule.is_new(_file("late.csv", -59))


def test_a_file_older_than_the_window_is_not_new() -> None:
    rule = LookBack(T0, HOUR, set())

    assert rule.start == T0 - HOUR
    assert not rule.is_new(_file("old.csv", -61))


def test_a_file_newer_than_the_last_read_is_new_unless_seen() -> None:
    # A killed pull registered b.csv but never moved the saved mark past it.
    rule = LookBack(T0, HOUR, {("b.csv", "e1")})

    assert rule.is_new(_file("c.csv", 5))
    assert not rule.is_new(_file("b.csv", 5))
