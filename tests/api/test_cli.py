"""The ``ingestion-agent`` command: ``serve`` starts a real process that answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url
from ulid import ULID

from tests.connections.conftest import POSTGRES_ADMIN_URL, _admin_connection, _libpq
from tests.support.ports import free_port


def _cli() -> str:
    return str(Path(sys.executable).with_name("ingestion-agent"))


def test_serve_answers_healthz_and_logs_json(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "INGESTION_AGENT_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen(
        [_cli(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90  # start-up on a loaded machine
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
            except httpx.TransportError:
                time.sleep(0.1)
        assert status == 200
        assert (tmp_path / "data").is_dir()
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert '"event": "service_starting"' in err
    assert '"event": "http_request"' in err


def test_invalid_configuration_names_the_variable(tmp_path: Path) -> None:
    env = {**os.environ, "INGESTION_AGENT_ALLOWED_NETWORKS": "10.0.0.0/33"}

    result = subprocess.run(
        [_cli(), "serve"], env=env, capture_output=True, text=True, timeout=30, check=False
    )

    assert result.returncode == 2
    assert "INGESTION_AGENT_ALLOWED_NETWORKS" in result.stderr


def test_vault_rotate_reencrypts_and_audit_verify_checks_the_chain(tmp_path: Path) -> None:
    env = {**os.environ, "INGESTION_AGENT_DATA_DIR": str(tmp_path / "data")}
    env.pop("INGESTION_AGENT_VAULT_KEY", None)

    rotate = subprocess.run(
        [_cli(), "vault", "rotate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    verify = subprocess.run(
        [_cli(), "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert rotate.returncode == 0, rotate.stderr
    assert rotate.stdout.startswith("re-encrypted 0 secret(s) under vault key ")
    assert (tmp_path / "data" / "vault.key").stat().st_mode & 0o777 == 0o600
    assert verify.returncode == 0, verify.stderr
    assert "audit chain OK" in verify.stdout


def test_audit_verify_never_migrates_the_database(tmp_path: Path) -> None:
    name = f"ia_test_verify_{str(ULID()).lower()}"
    with _admin_connection() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    env = {
        **os.environ,
        "INGESTION_AGENT_DATA_DIR": str(tmp_path / "data"),
        "INGESTION_AGENT_DATABASE_URL": url.render_as_string(hide_password=False),
    }
    try:
        verify = subprocess.run(
            [_cli(), "audit", "verify"], env=env, capture_output=True, text=True, check=False
        )
        with psycopg.connect(_libpq(url.render_as_string(hide_password=False))) as db:
            tables = db.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
    finally:
        with _admin_connection() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    assert verify.returncode == 2  # nothing to verify: the audit tables do not exist
    assert verify.stderr.startswith("audit verify failed:")
    assert tables == (0,)
