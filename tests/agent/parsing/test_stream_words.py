"""Streams picked in words: prefixes, words of a name, positions, filler, "from <schema>"."""

from __future__ import annotations

import pytest

from agent.parsing import SelectionError, parse_stream_selection

WAREHOUSE = (
    "analytics.dim_customer",
    "analytics.dim_date",
    "analytics.fact_orders",
    "analytics.fact_sales",
    "public.customers",
    "public.line_items",
    "public.logs",
    "public.orders",
    "reporting.daily_summary",
    "sales.audit_log",
    "sales.audit_trail",
    "sales.orders",
    "sales.refunds",
)
SCHEMAS = ("analytics", "public", "sales", "reporting")
FILES = ("booking", "expedia", "invoices")
FACTS = ("analytics.fact_orders", "analytics.fact_sales")
AUDIT = ("sales.audit_log", "sales.audit_trail")

SELECTIONS = [
    pytest.param("all tables starting with fact_", WAREHOUSE, FACTS, id="starting-with"),
    pytest.param("every table that begins with fact", WAREHOUSE, FACTS, id="begins-with-a-word"),
    pytest.param("all the fact_ tables", WAREHOUSE, FACTS, id="all-the-prefix-tables"),
    pytest.param("fact_", WAREHOUSE, FACTS, id="trailing-underscore-is-a-prefix"),
    pytest.param("all the fact tables", WAREHOUSE, FACTS, id="a-word-of-the-name"),
    pytest.param("tables with audit in the name", WAREHOUSE, AUDIT, id="in-the-name"),
    pytest.param("the ones with audit", WAREHOUSE, AUDIT, id="the-ones-with"),
    pytest.param("tables containing audit", WAREHOUSE, AUDIT, id="containing"),
    pytest.param("tables ending with _log", WAREHOUSE, ("sales.audit_log",), id="ending-with"),
    pytest.param(
        "i need only orders and customers table from public",
        WAREHOUSE,
        ("public.customers", "public.orders"),
        id="filler-is-never-a-name",
    ),
    pytest.param("just orders pls", (*FILES, "orders"), ("orders",), id="pls"),
    pytest.param(
        "orders and customers from public plus every dim_ table in analytics",
        WAREHOUSE,
        (
            "analytics.dim_customer",
            "analytics.dim_date",
            "public.customers",
            "public.orders",
        ),
        id="from-schema-plus-in-schema",
    ),
    pytest.param(
        "from sales: orders and refunds",
        WAREHOUSE,
        ("sales.orders", "sales.refunds"),
        id="schema-said-first",
    ),
    pytest.param(
        "orders from public and orders from sales",
        WAREHOUSE,
        ("public.orders", "sales.orders"),
        id="same-name-two-schemas",
    ),
    pytest.param(
        "refunds from public", WAREHOUSE, ("sales.refunds",), id="wrong-schema-still-the-name"
    ),
    pytest.param(
        "everything in sales except the audit tables",
        WAREHOUSE,
        ("sales.orders", "sales.refunds"),
        id="everything-in-schema-except-a-word",
    ),
    pytest.param("the first three", WAREHOUSE, WAREHOUSE[:3], id="the-first-three"),
    pytest.param("the last two", WAREHOUSE, WAREHOUSE[-2:], id="the-last-two"),
    pytest.param(
        "the first and the last",
        WAREHOUSE,
        (WAREHOUSE[0], WAREHOUSE[-1]),
        id="ordinals",
    ),
    pytest.param("the 2nd one", FILES, ("expedia",), id="numbered-ordinal"),
    pytest.param(
        "the line items and the daily summary",
        WAREHOUSE,
        ("public.line_items", "reporting.daily_summary"),
        id="a-name-with-spaces",
    ),
    pytest.param(
        "customer and order tables from public",
        WAREHOUSE,
        ("public.customers", "public.orders"),
        id="singulars",
    ),
    pytest.param("both public and sales", SCHEMAS, ("public", "sales"), id="both-as-determiner"),
    pytest.param("both", FILES, FILES, id="both-alone-is-all"),
    pytest.param("the sales one", SCHEMAS, ("sales",), id="the-sales-one"),
    pytest.param(
        "all schemas except reporting",
        SCHEMAS,
        ("analytics", "public", "sales"),
        id="all-schemas-except",
    ),
    pytest.param("invoices only", FILES, ("invoices",), id="only-after"),
    pytest.param(
        "everything but the audit stuff", WAREHOUSE, (*WAREHOUSE[:9], *WAREHOUSE[11:]), id="stuff"
    ),
]


@pytest.mark.parametrize(("text", "names", "expected"), SELECTIONS)
def test_streams_are_selected_in_words(
    text: str, names: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    assert parse_stream_selection(text, names).names == expected


def test_a_filler_word_that_is_a_stream_is_that_stream() -> None:
    assert parse_stream_selection("data and logs", ("public.data", "public.logs")).names == (
        "public.data",
        "public.logs",
    )


def test_a_word_of_no_name_is_still_an_error() -> None:
    with pytest.raises(SelectionError) as caught:
        parse_stream_selection("tables with zebra in the name", WAREHOUSE)

    assert caught.value.unmatched == ("*zebra*",)


def test_tables_named_at_the_schema_question_are_not_schemas() -> None:
    with pytest.raises(SelectionError) as caught:
        parse_stream_selection("orders customers line_items from public", SCHEMAS)

    assert caught.value.unmatched == ("orders", "customers", "line_items")


def test_a_name_in_two_schemas_follows_the_rest_of_the_phrase() -> None:
    selection = parse_stream_selection("orders, customers and line_items", WAREHOUSE)

    assert selection.names == ("public.customers", "public.line_items", "public.orders")


def test_a_name_in_two_schemas_alone_is_both() -> None:
    assert parse_stream_selection("orders", WAREHOUSE).names == ("public.orders", "sales.orders")


def test_all_with_a_count_is_everything() -> None:
    assert parse_stream_selection("all 3 files", FILES).names == FILES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("all tables beginning with 'fact_'", FACTS, id="quoted-prefix"),
        pytest.param("fact_%", FACTS, id="sql-wildcard"),
        pytest.param("tables like fact_%", FACTS, id="tables-like"),
        pytest.param("one and three", (WAREHOUSE[0], WAREHOUSE[2]), id="numbers-in-words"),
        pytest.param("numbers two to four", WAREHOUSE[1:4], id="a-range-in-words"),
        pytest.param("every single table", WAREHOUSE, id="every-single-table"),
        pytest.param("i would like orders from sales", ("sales.orders",), id="would-like"),
        pytest.param("can i have the refunds", ("sales.refunds",), id="can-i-have"),
    ],
)
def test_more_ways_to_say_it(text: str, expected: tuple[str, ...]) -> None:
    assert parse_stream_selection(text, WAREHOUSE).names == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("sales: orders, refunds", ("sales.orders", "sales.refunds"), id="colon"),
        pytest.param(
            "orders (public) and refunds (sales)",
            ("public.orders", "sales.refunds"),
            id="in-brackets",
        ),
        pytest.param("tables from public", WAREHOUSE[4:8], id="from-schema-alone"),
        pytest.param("the two fact tables", FACTS, id="a-count-before-a-word"),
        pytest.param("all of it", WAREHOUSE, id="all-of-it"),
        pytest.param(
            "everything besides logs",
            tuple(n for n in WAREHOUSE if n != "public.logs"),
            id="besides",
        ),
        pytest.param(
            "leave out the logs", tuple(n for n in WAREHOUSE if n != "public.logs"), id="leave-out"
        ),
    ],
)
def test_schemas_and_exclusions_said_other_ways(text: str, expected: tuple[str, ...]) -> None:
    assert parse_stream_selection(text, WAREHOUSE).names == expected


def test_no_after_a_selection_leaves_out() -> None:
    selection = parse_stream_selection("everything, no audit tables", WAREHOUSE)

    assert selection.names == tuple(n for n in WAREHOUSE if n not in AUDIT)


def test_no_before_a_selection_is_a_correction() -> None:
    selection = parse_stream_selection("no, just orders from public", WAREHOUSE)

    assert selection.names == ("public.orders",)
