"""Edits said at the review in words: schedules, streams, scope, a sink's push rule."""

from __future__ import annotations

import pytest

from agent.parsing import EditKind, parse_retries, parse_review_edit

# Each row: the message, the kind of edit it makes, and the value it names.
EDITS = [
    ("actually make it hourly", EditKind.SCHEDULE, "hourly"),
    ("make it daily at 7 berlin time", EditKind.SCHEDULE, "daily at 7 berlin time"),
    ("switch to every 6 hours", EditKind.SCHEDULE, "every 6 hours"),
    ("every 6 hours", EditKind.SCHEDULE, "every 6 hours"),
    ("hmm, make it manual", EditKind.SCHEDULE, "manual"),
    ("wait, add line_items too", EditKind.ADD_STREAMS, "line_items"),
    ("oh and also pull logs", EditKind.ADD_STREAMS, "logs"),
    (
        "add public.line_items and public.logs",
        EditKind.ADD_STREAMS,
        "public.line_items and public.logs",
    ),
    ("drop audit_log", EditKind.DROP_STREAMS, "audit_log"),
    ("remove logs please", EditKind.DROP_STREAMS, "logs"),
    ("leave logs out", EditKind.DROP_STREAMS, "logs"),
    ("use the reporting schema instead", EditKind.SCOPE, "reporting"),
    ("only the sales schema", EditKind.SCOPE, "sales"),
    ("actually turn auto-push off", EditKind.PUSH, ""),
    ("turn on auto push", EditKind.PUSH, ""),
    ("retry 5 times instead", EditKind.RETRIES, ""),
    ("no retries please", EditKind.RETRIES, ""),
    ("reporting schema instead", EditKind.SCOPE, "reporting"),
    ("i want the reporting schema", EditKind.SCOPE, "reporting"),
    ("use the public and sales schemas", EditKind.SCOPE, "public and sales"),
    ("just orders", EditKind.ONLY_STREAMS, "orders"),
    ("only orders and customers", EditKind.ONLY_STREAMS, "orders and customers"),
    ("only daily", EditKind.SCHEDULE, "daily"),
    ("use reporting instead", EditKind.USE, "reporting"),
    ("can you make it hourly", EditKind.SCHEDULE, "hourly"),
    ("yes but not logs", None, ""),
]


@pytest.mark.parametrize(("text", "kind", "value"), EDITS, ids=repr)
def test_edits_in_words(text: str, kind: EditKind | None, value: str) -> None:
    edit = parse_review_edit(text)
    if kind is None:
        # A yes or no before the edit is the step's to read (it takes both parts).
        assert edit is None
        return
    assert edit is not None
    assert (edit.kind, edit.value) == (kind, value)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("actually turn auto-push off", False),
        ("dont push automatically", False),
        ("disable auto-push", False),
        ("turn on auto push", True),
        ("push results automatically", True),
        ("no auto push", False),
        ("auto-push: off", False),
        ("auto push on", True),
    ],
)
def test_push_on_or_off(text: str, flag: bool) -> None:
    edit = parse_review_edit(text)
    assert edit is not None
    assert edit.kind is EditKind.PUSH
    assert edit.flag is flag


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "call it Bookings",
        "make it Bookings",
        "change the region to x",
        "no logs",
        "not now",
        "",
    ],
)
def test_not_an_edit_in_words(text: str) -> None:
    assert parse_review_edit(text) is None


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("yes and retry 3 times", 3),
        ("yes push them automatically, but only retry once", 1),
        ("retry twice", 2),
        ("3 retries please", 3),
        ("no retries", 0),
        ("yes", None),
    ],
)
def test_retries(text: str, count: int | None) -> None:
    assert parse_retries(text) == count
