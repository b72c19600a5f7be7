"""``ingestion-agent vault``: real processes, a real key file, SQLite in a data directory.

The first test is the operator's story of issue 13: a ``serve`` started before a rotation
keeps reading and writing secrets afterwards, with no restart.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connections.db.engine import create_engine, migrate, session_factory
from connections.vault import (
    ENV_VAR,
    KEY_FILE_NAME,
    Keyring,
    Vault,
    encode_key,
    generate_key,
    key_id,
)
from tests.support.ports import free_port

HEADERS = {"X-Tenant-Id": "tnt-vault", "X-User-ID": "alice", "X-User-Roles": "ROLE_ADMIN"}
SECRET = "vault-rotation-canary-0123456789"


def _cli() -> str:
    return str(Path(sys.executable).with_name("ingestion-agent"))


def _env(data_dir: Path, vault_key: str | None = None) -> dict[str, str]:
    env = {**os.environ, "INGESTION_AGENT_DATA_DIR": str(data_dir)}
    env.pop("INGESTION_AGENT_DATABASE_URL", None)
    env.pop(ENV_VAR, None)
    if vault_key is not None:
        env[ENV_VAR] = vault_key
    return env


def _vault(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_cli(), "vault", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _key_ids(listing: str) -> dict[str, str]:
    """``vault keys`` output as key id -> state."""
    return {line.split()[0]: line.split()[1] for line in listing.splitlines()[1:]}


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[str]:
    """A ``serve`` process on the data directory ``tmp_path/data``; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [_cli(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(tmp_path / "data"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # start-up on a loaded machine
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _post(base: str, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{base}/api/v1{path}", json=body, headers=HEADERS, timeout=30)


def _stage(base: str) -> str:
    values = {"accessKeyId": "AKIAVAULTROTATION", "secretAccessKey": SECRET}
    reply = _post(base, "/secrets", {"type": "S3", "values": values})
    assert reply.status_code == 201, reply.text
    ref: str = reply.json()["secretRef"]
    return ref


def _check(base: str, agent_id: str, secret_ref: str) -> httpx.Response:
    # Port 9 on loopback: the check fails, but only after the secret was decrypted.
    config = {
        "bucket": "vault-rotation",
        "region": "us-east-1",
        "endpointUrl": "http://127.0.0.1:9",
    }
    body = {"type": "S3", "config": config, "secretRef": secret_ref}
    return _post(base, f"/agents/{agent_id}/connection-checks", body)


def test_a_running_serve_keeps_working_through_rotate_and_retire(
    serve: str, tmp_path: Path
) -> None:
    env = _env(tmp_path / "data")
    agent = _post(serve, "/agents", {"name": "Vault rotation"}).json()
    before = _stage(serve)
    old_id = Keyring.load(data_dir=tmp_path / "data", env_value=None).active_id

    rotated = _vault(env, "rotate")

    assert rotated.returncode == 0, rotated.stderr
    check = _check(serve, agent["id"], before)
    assert check.status_code == 200, check.text  # before the fix: 500 vault_error
    after = _stage(serve)
    assert _check(serve, agent["id"], after).status_code == 200
    keys = _vault(env, "keys")
    new_id = re.findall(r"vault key ([0-9a-f]{16})", rotated.stdout)[0]
    assert _key_ids(keys.stdout) == {new_id: "active", old_id: "unused"}
    retired = _vault(env, "retire", old_id)
    assert retired.returncode == 0, retired.stderr
    assert _check(serve, agent["id"], after).status_code == 200
    assert _check(serve, agent["id"], before).status_code == 200
    verify = subprocess.run(
        [_cli(), "audit", "verify"], env=env, capture_output=True, text=True, check=False
    )
    assert verify.stdout.splitlines()[-1] == "audit chain OK: 5 events in 2 tenants"
    for result in (rotated, keys, retired):
        assert SECRET not in result.stdout + result.stderr


def test_rotate_with_a_key_file_says_no_restart_is_needed(tmp_path: Path) -> None:
    env = _env(tmp_path / "data")

    result = _vault(env, "rotate")

    key_file = tmp_path / "data" / KEY_FILE_NAME
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        rf"re-encrypted 0 secret\(s\) under vault key [0-9a-f]{{16}} \({key_file} entry 1\)",
        lines[0],
    )
    assert "without a restart" in lines[1]
    assert "`ingestion-agent vault retire ID`" in lines[2]
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_rotate_with_one_environment_key_is_refused(tmp_path: Path) -> None:
    key = encode_key(generate_key())

    result = _vault(_env(tmp_path / "data", key), "rotate")

    assert result.returncode == 1
    assert result.stdout == ""
    # Above it, the migration's own log lines.
    assert result.stderr.splitlines()[-1].startswith(
        "ingestion-agent vault rotate: nothing to rotate"
    )
    assert key not in result.stderr


def test_rotate_with_environment_keys_says_what_to_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    old = encode_key(generate_key())
    data_dir.mkdir()
    asyncio.run(_store_one_secret(data_dir, old))  # as a `serve` with the old key would
    new = encode_key(generate_key())

    result = _vault(_env(data_dir, f"{new},{old}"), "rotate")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"re-encrypted 1 secret(s) under vault key {key_id(_raw(new))} ({ENV_VAR} entry 1)",
        f"restart every `serve` and `worker` still running with an older {ENV_VAR}: "
        "it does not follow a change to the variable",
        f"no secret uses {key_id(_raw(old))} any more; they stay configured until you run "
        "`ingestion-agent vault retire ID` (keep a copy while a database backup needs them)",
    ]


def test_keygen_prints_a_key_and_its_id(tmp_path: Path) -> None:
    result = _vault(_env(tmp_path / "data"), "keygen")

    key = result.stdout.strip()
    assert result.returncode == 0
    assert len(_raw(key)) == 32
    assert result.stderr == f"vault key id {key_id(_raw(key))}\n"
    assert not (tmp_path / "data").exists()


def test_keys_lists_each_environment_key_by_entry(tmp_path: Path) -> None:
    first, second = generate_key(), generate_key()
    env = _env(tmp_path / "data", f"{encode_key(first)},{encode_key(second)}")

    result = _vault(env, "keys")

    assert result.returncode == 0, result.stderr
    rows = [line.split(None, 3) for line in result.stdout.splitlines()[1:]]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (key_id(first), "active", f"{ENV_VAR} entry 1"),
        (key_id(second), "unused", f"{ENV_VAR} entry 2"),
    ]


def test_keys_without_a_key_creates_none(tmp_path: Path) -> None:
    result = _vault(_env(tmp_path / "data"), "keys")

    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert not (tmp_path / "data" / KEY_FILE_NAME).exists()


def test_retiring_the_active_key_is_refused(tmp_path: Path) -> None:
    env = _env(tmp_path / "data")
    _vault(env, "rotate")
    active = next(iter(_key_ids(_vault(env, "keys").stdout)))

    result = _vault(env, "retire", active)

    assert result.returncode == 1
    assert "is the active key" in result.stderr


def _raw(encoded: str) -> bytes:
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))


async def _store_one_secret(data_dir: Path, key: str) -> None:
    url = f"sqlite:///{data_dir}/ingestion-agent.db"
    await asyncio.to_thread(migrate, url)
    engine = create_engine(url)
    vault = Vault(Keyring.load(data_dir=data_dir, env_value=key))
    try:
        async with session_factory(engine)() as db:
            await vault.store(db, tenant_id="tnt-vault", user_id="alice", values={"t": SECRET})
            await db.commit()
    finally:
        await engine.dispose()
