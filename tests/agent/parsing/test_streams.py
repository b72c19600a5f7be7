"""Streams are picked by "all", numbers, names, globs and exclusions, in catalog order."""

from __future__ import annotations

import pytest

from agent.parsing import SelectionError, parse_stream_selection

FILES = ("booking.csv", "expedia.csv", "logs.csv", "audit_users.csv", "back-ups.csv")
TABLES = (
    "public.users",
    "public.orders",
    "sales.orders",
    "sales.order_items",
    "sales.orders_audit",
    "finance.ledger",
    "finance.ledger_audit",
    "logs",
)

SELECTIONS = [
    pytest.param("all", FILES, FILES, id="all"),
    pytest.param("All", FILES, FILES, id="all-capitalized"),
    pytest.param("everything", FILES, FILES, id="everything"),
    pytest.param("none", FILES, (), id="none"),
    pytest.param("2", FILES, ("expedia.csv",), id="one-number"),
    pytest.param("#2", FILES, ("expedia.csv",), id="hash-number"),
    pytest.param(
        "1,3-5",
        FILES,
        ("booking.csv", "logs.csv", "audit_users.csv", "back-ups.csv"),
        id="numbers-and-range",
    ),
    pytest.param("1 to 3", FILES, FILES[:3], id="range-in-words"),
    pytest.param("3-1", FILES, FILES[:3], id="range-backwards"),
    pytest.param("the tables 1 and 2", FILES, FILES[:2], id="filler-words"),
    pytest.param("5, 1", FILES, ("booking.csv", "back-ups.csv"), id="catalog-order-kept"),
    pytest.param("booking.csv", FILES, ("booking.csv",), id="exact-name"),
    pytest.param("BOOKING.CSV", FILES, ("booking.csv",), id="name-any-case"),
    pytest.param("booking", FILES, ("booking.csv",), id="name-without-extension"),
    pytest.param("\u201cbooking\u201d", FILES, ("booking.csv",), id="unicode-quoted-name"),
    pytest.param("booking and expedia", FILES, FILES[:2], id="names-with-and"),
    pytest.param("back-ups", FILES, ("back-ups.csv",), id="hyphenated-name"),
    pytest.param("all except logs", FILES, tuple(f for f in FILES if f != "logs.csv"), id="except"),
    pytest.param(
        "all except audit_*",
        FILES,
        ("booking.csv", "expedia.csv", "logs.csv", "back-ups.csv"),
        id="except-glob",
    ),
    pytest.param("all but 1", FILES, FILES[1:], id="all-but-number"),
    pytest.param(
        "except logs", FILES, tuple(f for f in FILES if f != "logs.csv"), id="only-except"
    ),
    pytest.param("*.csv", FILES, FILES, id="glob-extension"),
    pytest.param("public.*", TABLES, ("public.users", "public.orders"), id="glob-schema"),
    pytest.param(
        "sales.order*",
        TABLES,
        ("sales.orders", "sales.order_items", "sales.orders_audit"),
        id="glob",
    ),
    pytest.param(
        "*_audit", TABLES, ("sales.orders_audit", "finance.ledger_audit"), id="glob-suffix"
    ),
    pytest.param(
        "sales.order* and finance.* except *_audit",
        TABLES,
        ("sales.orders", "sales.order_items", "finance.ledger"),
        id="conversation-3",
    ),
    pytest.param("orders", TABLES, ("public.orders", "sales.orders"), id="table-without-schema"),
    pytest.param(
        "finance", TABLES, ("finance.ledger", "finance.ledger_audit"), id="schema-means-its-tables"
    ),
    pytest.param("logs", TABLES, ("logs",), id="exact-before-schema"),
    pytest.param("everything but logs", TABLES, TABLES[:-1], id="everything-but"),
]

ERRORS = [
    pytest.param("9", FILES, ("9",), (), id="number-out-of-range"),
    pytest.param("0", FILES, ("0",), (), id="number-zero"),
    pytest.param("2-7", FILES, ("2-7",), (), id="range-past-the-end"),
    pytest.param("foo, 2", FILES, ("foo",), ("expedia.csv",), id="unknown-name"),
    pytest.param("bookng", FILES, ("bookng",), (), id="misspelt-name"),
    pytest.param("hr.*", TABLES, ("hr.*",), (), id="glob-matching-nothing"),
    pytest.param(
        "all except nothing_here", FILES, ("nothing_here",), FILES, id="unknown-exclusion"
    ),
]


@pytest.mark.parametrize(("text", "names", "expected"), SELECTIONS)
def test_streams_are_selected(text: str, names: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert parse_stream_selection(text, names).names == expected


@pytest.mark.parametrize(("text", "names", "unmatched", "selected"), ERRORS)
def test_what_matches_nothing_is_an_error(
    text: str, names: tuple[str, ...], unmatched: tuple[str, ...], selected: tuple[str, ...]
) -> None:
    with pytest.raises(SelectionError) as caught:
        parse_stream_selection(text, names)

    assert (caught.value.unmatched, caught.value.selected) == (unmatched, selected)


def test_the_error_lists_what_did_not_match_in_plain_words() -> None:
    with pytest.raises(SelectionError) as caught:
        parse_stream_selection("Bookng, 9", FILES)

    assert caught.value.message == (
        '"Bookng" matches no stream; 9 is not on the list (it goes from 1 to 5).'
    )


def test_saying_nothing_is_an_error_with_examples() -> None:
    with pytest.raises(SelectionError) as caught:
        parse_stream_selection("  ", FILES)

    assert "all" in caught.value.examples


def test_a_glob_without_a_dot_also_matches_the_table_part() -> None:
    selection = parse_stream_selection("all except *_audit", TABLES)

    assert selection.names == (
        "public.users",
        "public.orders",
        "sales.orders",
        "sales.order_items",
        "finance.ledger",
        "logs",
    )


def test_numbers_count_in_the_list_shown() -> None:
    shown = ("sales.orders", "sales.order_items", "sales.orders_audit")

    selection = parse_stream_selection("2-3", TABLES, numbered=shown)

    assert selection.names == ("sales.order_items", "sales.orders_audit")


def test_a_number_past_the_list_shown_is_refused() -> None:
    with pytest.raises(SelectionError, match="it goes from 1 to 2"):
        parse_stream_selection("3", TABLES, numbered=("public.users", "logs"))
