"""Choosing streams from a large catalog: summary by schema, paging, search, cursors.

These drive the conversation logic over a session holding a discovered catalog; the
conversation over a real PostgreSQL database with thousands of tables is in
``tests/agent/test_database_conversations.py``.
"""

from __future__ import annotations

from typing import Any, cast

import pytest

from agent.context import TurnContext
from agent.flow import FlowError
from agent.steps.discover import answer_scope, ask_scope
from agent.streams import (
    catalog_key,
    change_cursor,
    choose_streams,
    compact_catalog,
    show_streams,
)
from connections.client import ConnectionClient
from connections.schemas import ConnectorTypeOut, FieldOut
from connectors.spec import Role
from fsm import State
from sessions import Session


def _field(name: str, *, required: bool = True) -> FieldOut:
    return FieldOut(
        name=name,
        label=name.title(),
        kind="string",
        secret=False,
        credential=False,
        required=required,
        example=None,
        prompt=f"Which {name}?",
        choices=[],
        roles=[Role.INVENTORY_SOURCE],
    )


POSTGRES = ConnectorTypeOut(
    type="POSTGRES",
    label="PostgreSQL",
    description="",
    aliases=[],
    roles=[Role.INVENTORY_SOURCE],
    fields=[_field("host"), _field("schemas", required=False)],
)


def _stream(name: str, *, cursors: tuple[str, ...] = ("updated_at", "id")) -> dict[str, Any]:
    return {
        "name": name,
        "columns": [{"name": c, "type": "string"} for c in ("id", "name", "updated_at", "note")],
        "recordEstimate": 1200,
        "fileCount": None,
        "cursorCandidates": list(cursors),
    }


def _big_catalog() -> list[dict[str, Any]]:
    streams = [_stream(f"public.orders_{i:04d}") for i in range(900)]
    streams += [_stream(f"public.customers_{i:03d}") for i in range(100)]
    streams += [_stream(f"audit.audit_log_{i:03d}", cursors=()) for i in range(150)]
    streams += [_stream("sales.refunds"), _stream("sales.orders")]
    return streams


def _ctx(streams: list[dict[str, Any]], state: State = State.SELECT_STREAMS) -> TurnContext:
    session = Session(
        tenant_id="acme",
        user_id="ada",
        state=state.value,
        connector_type="POSTGRES",
        role="INVENTORY_SOURCE",
        catalog={"key": "k", "streams": compact_catalog(streams)},
    )
    # The client is not used when choosing streams: nothing here talks to a service.
    return TurnContext(session=session, client=cast(ConnectionClient, None), types=[POSTGRES])


def test_a_large_catalog_is_summarised_by_schema() -> None:
    ctx = _ctx(_big_catalog())

    show_streams(ctx)

    text = "\n".join(ctx.lines)
    assert "1,152 tables in 3 schemas" in text
    assert "• public: 1,000" in text
    assert "• audit: 150" in text
    assert ctx.options[:3] == ["All", "public.*", "audit.*"]
    assert ctx.input_type == "multi_choice"


def test_a_small_catalog_is_listed_whole() -> None:
    ctx = _ctx([_stream("public.a"), _stream("public.b")])

    show_streams(ctx)

    assert "1. public.a" in ctx.lines[0]
    assert "2. public.b" in ctx.lines[0]


def test_list_then_next_pages_through() -> None:
    ctx = _ctx(_big_catalog())

    choose_streams(ctx, "list")
    first = ctx.lines[-1]
    choose_streams(ctx, "next")
    second = ctx.lines[-1]
    choose_streams(ctx, "page 58")
    last = ctx.lines[-1]

    assert "(page 1 of 58)" in first
    assert "1. public.orders_0000" in first
    assert "(page 2 of 58)" in second
    assert "21. public.orders_0020" in second
    assert "(page 58 of 58)" in last
    assert "Next page" not in ctx.options


def test_a_word_narrows_a_large_catalog_and_numbers_count_in_the_matches() -> None:
    ctx = _ctx(_big_catalog())

    choose_streams(ctx, "refunds")
    assert '1 of 1152 streams match "refunds"' in ctx.lines[-1].replace(
        "stream matches", "streams match"
    )
    assert State(ctx.session.state) is State.SELECT_STREAMS

    choose_streams(ctx, "1")

    assert ctx.session.selected_streams == ["sales.refunds"]
    assert State(ctx.session.state) is State.CONFIGURE_SYNC


def test_a_pattern_narrows_and_these_picks_every_match() -> None:
    ctx = _ctx(_big_catalog())

    choose_streams(ctx, "customers_*")
    assert '100 of 1152 streams match "customers_*"' in ctx.lines[-1]
    assert ctx.options[0] == "These 100"

    choose_streams(ctx, "these")

    assert len(ctx.session.selected_streams) == 100
    assert all(n.startswith("public.customers_") for n in ctx.session.selected_streams)


def test_search_with_a_verb_and_clear() -> None:
    ctx = _ctx(_big_catalog())

    choose_streams(ctx, "search sales")
    assert "2 of 1152 streams match" in ctx.lines[-1]
    choose_streams(ctx, "clear")

    assert "I found 1152 streams (page 1 of 58)" in ctx.lines[-1]


def test_all_except_a_table_glob_works_across_schemas() -> None:
    ctx = _ctx(_big_catalog())

    choose_streams(ctx, "all except audit_*")

    assert len(ctx.session.selected_streams) == 1002
    assert not [n for n in ctx.session.selected_streams if "audit" in n]


def test_a_schema_pattern_with_all_selects_it() -> None:
    ctx = _ctx(_big_catalog())

    choose_streams(ctx, "sales.* and public.customers_001")

    assert ctx.session.selected_streams == ["public.customers_001", "sales.refunds", "sales.orders"]


def test_a_search_that_matches_nothing_says_so() -> None:
    ctx = _ctx(_big_catalog())

    with pytest.raises(FlowError, match='Nothing matches "invoices"'):
        choose_streams(ctx, "invoices")


def test_cursor_columns_are_suggested_after_choosing() -> None:
    ctx = _ctx(_big_catalog())

    choose_streams(ctx, "sales.*, audit.audit_log_001")

    text = "\n".join(ctx.lines)
    assert "sales.refunds → updated_at" in text
    assert "audit.audit_log_001 has no timestamp or increasing id" in text
    assert ctx.session.answers["cursor_fields"] == {
        "sales.refunds": "updated_at",
        "sales.orders": "updated_at",
    }


def test_a_suggested_cursor_can_be_changed_or_dropped() -> None:
    ctx = _ctx(_big_catalog())
    choose_streams(ctx, "sales.*")
    choose_streams(ctx, "these")

    assert change_cursor(ctx, "use id for refunds")
    assert change_cursor(ctx, "full refresh for sales.orders")

    assert ctx.session.answers["cursor_fields"] == {"sales.refunds": "id"}
    assert not change_cursor(ctx, "every 6 hours")
    with pytest.raises(FlowError, match="Candidates: updated_at, id"):
        change_cursor(ctx, "use note for refunds")


def test_many_schemas_are_asked_about_before_discovering() -> None:
    ctx = _ctx([], State.DISCOVER_SCHEMA)
    schemas = {"public": 900, "sales": 40, "audit": 150, "tmp": 1, "staging": 12}

    asked = ask_scope(ctx, {"schemas": schemas})
    answer_scope(ctx, "public, sales")

    assert asked
    assert "This database has 5 schemas" in ctx.lines[0]
    assert ctx.lines[0].index("public") < ctx.lines[0].index("audit")
    assert ctx.session.answers["schemas"] == "public,sales"
    assert ctx.start_task == "discover"


def test_few_schemas_or_a_given_scope_are_not_asked_about() -> None:
    few = _ctx([], State.DISCOVER_SCHEMA)
    given = _ctx([], State.DISCOVER_SCHEMA)
    given.session.answers["schemas"] = "public"
    many = {f"s{i}": i for i in range(10)}

    assert not ask_scope(few, {"schemas": {"public": 3, "sales": 2}})
    assert not ask_scope(given, {"schemas": many})


def test_all_schemas_is_kept_as_no_filter() -> None:
    ctx = _ctx([], State.DISCOVER_SCHEMA)
    ask_scope(ctx, {"schemas": {f"s{i}": i for i in range(6)}})

    answer_scope(ctx, "all")

    assert ctx.session.answers["schemas"] == ""


def test_the_catalog_key_follows_the_settings() -> None:
    one = catalog_key({"request": {"config": {"host": "db", "port": 5432}}})
    same = catalog_key({"request": {"config": {"port": 5432, "host": "db"}}})
    other = catalog_key({"request": {"config": {"host": "db", "port": 5433}}})

    assert one == same
    assert one != other
