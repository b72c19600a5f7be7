"""``verify_command``: what ``ingestion-agent audit verify`` prints and returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from connections.audit import verify_command
from tests.connections.audit.support import record_chain, remove_event


def _url(engine: AsyncEngine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
async def two_tenants(db: AsyncSession) -> None:
    await record_chain(db, "tnt_alpha", 3)
    await record_chain(db, "tnt_beta", 2)


@pytest.fixture
async def gap(db: AsyncSession) -> str:
    events = await record_chain(db, "tnt_alpha", 3)
    await remove_event(db, events[1].id)
    return events[2].id


@pytest.mark.usefixtures("two_tenants")
def test_intact_chains_print_ok_and_return_0(
    engine: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_command(_url(engine)) == 0

    assert capsys.readouterr().out == "audit chain OK: 5 events in 2 tenants\n"


@pytest.mark.usefixtures("db")
def test_an_empty_log_is_ok(engine: AsyncEngine, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_command(_url(engine)) == 0

    assert capsys.readouterr().out == "audit chain OK: 0 events in 0 tenants\n"


def test_a_broken_chain_prints_each_problem_and_returns_1(
    gap: str, engine: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_command(_url(engine)) == 1

    assert capsys.readouterr().out.splitlines() == [
        f"tenant tnt_alpha seq 3 event {gap}: missing event before seq 3",
        "audit chain BROKEN: 1 problems",
    ]


def test_an_unreadable_database_returns_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "not-migrated.db"
    empty.touch()

    assert verify_command(f"sqlite:///{empty}") == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("audit verify failed: (sqlite3.OperationalError) no such table")
    assert "Traceback" not in captured.err


def test_a_missing_sqlite_file_is_reported_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.db"

    assert verify_command(f"sqlite:///{missing}") == 2

    assert capsys.readouterr().err == f"audit verify failed: no database at {missing}\n"
    assert not missing.exists()
