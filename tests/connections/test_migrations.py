"""Processes that start together on a fresh database migrate it once, and all of them start.

Several ``serve`` processes behind one Redis share one database; on a first deployment they all
run the migrations at the same moment. Real processes, released together at one instant, against
the real PostgreSQL and a SQLite file.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from alembic.config import Config
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy.engine import make_url
from ulid import ULID

from tests.connections.conftest import POSTGRES_ADMIN_URL, _admin_connection, _libpq

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4

# Each child imports everything first, then waits for the common start instant.
_MIGRATE = """
import sys, time
from connections.db.engine import migrate
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
migrate(sys.argv[1])
"""


def _head() -> str:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _migrate_together(url: str) -> list[tuple[int, str]]:
    start_at = f"{time.time() + 4:.3f}"  # enough for every child to finish importing
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _MIGRATE, url, start_at],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    return [(child.wait(120), child.stderr.read() if child.stderr else "") for child in children]


def test_processes_migrating_a_fresh_postgres_database_together_all_succeed() -> None:
    name = f"ia_test_migrate_{str(ULID()).lower()}"
    with _admin_connection() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        outcomes = _migrate_together(url)

        assert [code for code, _ in outcomes] == [0] * PROCESSES, [e for _, e in outcomes]
        with psycopg.connect(_libpq(url)) as conn:
            versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        assert versions == [(_head(),)]
    finally:
        with _admin_connection() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_processes_migrating_a_fresh_sqlite_file_together_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'connections.db'}"

    outcomes = _migrate_together(url)

    assert [code for code, _ in outcomes] == [0] * PROCESSES, [e for _, e in outcomes]
    with sqlite3.connect(tmp_path / "fresh" / "connections.db") as conn:
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert versions == [(_head(),)]
