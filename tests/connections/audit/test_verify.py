"""``verify``: every edit, removal or forgery behind the log's back is found and located."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from connections.audit import Problem, event_hash, verification, verify
from tests.connections.audit.support import (
    EVENTS,
    edit_event,
    record_chain,
    remove_event,
    remove_head,
    stored_row,
)

EDITED = "hash mismatch: event edited"
BROKEN_LINK = "prev_hash does not match the previous event's hash"

# For each column, how a tamperer might change it.
EDITS: list[tuple[str, Callable[[Any], Any]]] = [
    ("id", lambda _: "aud_forged"),
    ("tenant_id", lambda _: "tnt_other"),
    ("seq", lambda old: old + 1000),
    ("at", lambda old: old + timedelta(seconds=1)),
    ("actor", lambda _: "usr_mallory"),
    ("action", lambda _: "purge"),
    ("object_type", lambda _: "agent"),
    ("object_id", lambda _: "src_other"),
    ("details", lambda _: {"step": 2, "changed": ["name"]}),
    ("prev_hash", lambda _: "f" * 64),
    ("hash", lambda _: "e" * 64),
]


async def test_an_untouched_chain_verifies(db: AsyncSession, tenant: str) -> None:
    await record_chain(db, tenant, 5)

    report = await verify(db)

    assert report.ok
    assert (report.tenants, report.events, report.problems) == (1, 5, ())


async def test_a_tenant_without_events_verifies(db: AsyncSession, tenant: str) -> None:
    report = await verify(db, tenant)

    assert report.ok
    assert (report.tenants, report.events) == (1, 0)


@pytest.mark.parametrize(("column", "change"), EDITS, ids=[column for column, _ in EDITS])
async def test_editing_any_column_of_a_middle_event_is_found_at_that_event(
    db: AsyncSession, tenant: str, column: str, change: Callable[[Any], Any]
) -> None:
    events = await record_chain(db, tenant, 5)
    original = await stored_row(db, events[2].id)
    edited = {**original, column: change(original[column])}
    assert edited[column] != original[column]  # a no-op edit would prove nothing
    await edit_event(db, events[2].id, **{column: edited[column]})

    report = await verify(db)

    assert not report.ok
    where = Problem(edited["tenant_id"], edited["seq"], edited["id"], EDITED)
    assert where in report.problems


async def test_an_edited_event_is_the_only_problem(db: AsyncSession, tenant: str) -> None:
    events = await record_chain(db, tenant, 5)
    await edit_event(db, events[2].id, actor="usr_mallory")

    report = await verify(db, tenant)

    assert report.problems == (Problem(tenant, 3, events[2].id, EDITED),)


async def test_removing_a_middle_event_leaves_a_gap(db: AsyncSession, tenant: str) -> None:
    events = await record_chain(db, tenant, 5)
    await remove_event(db, events[2].id)

    report = await verify(db, tenant)

    assert report.problems == (Problem(tenant, 4, events[3].id, "missing event before seq 4"),)
    assert report.events == 4


async def test_removing_the_last_event_is_found_by_the_head(db: AsyncSession, tenant: str) -> None:
    events = await record_chain(db, tenant, 5)
    await remove_event(db, events[4].id)

    report = await verify(db, tenant)

    message = "head points past the last event (head seq 5, last event seq 4)"
    assert report.problems == (Problem(tenant, 5, None, message),)


async def test_removing_every_event_is_found_by_the_head(db: AsyncSession, tenant: str) -> None:
    events = await record_chain(db, tenant, 2)
    for event in events:
        await remove_event(db, event.id)

    report = await verify(db)

    message = "head points past the last event (head seq 2, last event seq 0)"
    assert report.problems == (Problem(tenant, 2, None, message),)


@pytest.mark.parametrize(
    "columns",
    [
        pytest.param({"details": {"step": "forged"}}, id="details-and-hash"),
        pytest.param({"prev_hash": "f" * 64}, id="prev_hash-and-hash"),
    ],
)
async def test_rewriting_an_event_with_a_fresh_hash_breaks_the_next_link(
    db: AsyncSession, tenant: str, columns: dict[str, Any]
) -> None:
    events = await record_chain(db, tenant, 5)
    rewritten = {**await stored_row(db, events[2].id), **columns}
    await edit_event(db, events[2].id, **columns, hash=event_hash(rewritten))

    report = await verify(db, tenant)

    assert Problem(tenant, 4, events[3].id, BROKEN_LINK) in report.problems
    assert all(p.message != EDITED for p in report.problems)  # each hash matches its event


async def test_rewriting_the_last_event_with_a_fresh_hash_is_found_by_the_head(
    db: AsyncSession, tenant: str
) -> None:
    events = await record_chain(db, tenant, 3)
    rewritten = {**await stored_row(db, events[2].id), "actor": "usr_mallory"}
    await edit_event(db, events[2].id, actor="usr_mallory", hash=event_hash(rewritten))

    report = await verify(db, tenant)

    message = "head hash does not match the last event"
    assert report.problems == (Problem(tenant, 3, events[2].id, message),)


async def test_an_event_forged_after_the_head_is_found(db: AsyncSession, tenant: str) -> None:
    events = await record_chain(db, tenant, 3)
    forged = {
        **await stored_row(db, events[2].id),
        "id": "aud_forged",
        "seq": 4,
        "prev_hash": events[2].hash,
    }
    forged["hash"] = event_hash(forged)
    await db.execute(insert(EVENTS).values(**forged))
    await db.commit()

    report = await verify(db, tenant)

    message = "event after the head (head seq 3): appended outside the chain"
    assert report.problems == (Problem(tenant, 4, "aud_forged", message),)


async def test_a_removed_head_is_found(db: AsyncSession, tenant: str) -> None:
    events = await record_chain(db, tenant, 3)
    await remove_head(db, tenant)

    report = await verify(db)

    assert report.problems == (Problem(tenant, 3, events[2].id, "head missing"),)


async def test_tenants_have_independent_chains(db: AsyncSession) -> None:
    alpha = await record_chain(db, "tnt_alpha", 3)
    beta = await record_chain(db, "tnt_beta", 3)
    await edit_event(db, alpha[1].id, details={"step": "forged"})

    assert [e.seq for e in beta] == [1, 2, 3]
    assert beta[0].prev_hash == alpha[0].prev_hash  # both start from the genesis hash
    assert (await verify(db, "tnt_beta")).ok
    assert not (await verify(db, "tnt_alpha")).ok
    everything = await verify(db)
    assert everything.problems == (Problem("tnt_alpha", 2, alpha[1].id, EDITED),)
    assert (everything.tenants, everything.events) == (2, 6)


async def test_long_chains_are_read_in_batches(
    db: AsyncSession, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verification, "_BATCH", 2)
    events = await record_chain(db, tenant, 7)
    await remove_event(db, events[4].id)
    await edit_event(db, events[5].id, actor="usr_mallory")

    report = await verify(db, tenant)

    assert report.problems == (
        Problem(tenant, 6, events[5].id, "missing event before seq 6"),
        Problem(tenant, 6, events[5].id, EDITED),
    )
    assert report.events == 6
