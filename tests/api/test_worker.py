"""Scale-out with real processes: two API processes, two workers, one database, one Redis.

Both ``ingestion-agent serve`` processes run a scheduler (``INGESTION_AGENT_WORKERS=external``,
so neither pulls itself) and both fire the same cron tick of one S3 source; the two
``ingestion-agent worker`` processes drain the queue. The tick must become exactly one pull,
each pulled file one upload, and each upload exactly one job. Everything is real: a
PostgreSQL database made for the test, the Redis on 127.0.0.1:6379 with a queue of the test's
own, SeaweedFS for the source bucket and for the inventory store.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
import psycopg
import pytest
import redis
from mypy_boto3_s3 import S3Client
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.engine import make_url
from ulid import ULID

from connections.db.engine import create_engine, migrate, session_factory
from connections.db.models import InventoryUpload, Job, Sync
from connections.vault.keys import encode_key, generate_key
from tests.connections.conftest import POSTGRES_ADMIN_URL
from tests.support.ports import free_port
from tests.support.seaweedfs import SeaweedS3

REDIS_URL = "redis://127.0.0.1:6379/0"
FILES = {f"drops/file-{n}.csv": f"sku,qty\nA{n},{n}\nB{n},{n + 1}\n".encode() for n in range(3)}
HEADERS = {"X-Tenant-Id": "scale-out", "X-User-ID": "ops", "X-User-Roles": "ROLE_ADMIN"}


def _cli() -> str:
    return str(Path(sys.executable).with_name("ingestion-agent"))


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def database() -> Iterator[str]:
    """A migrated PostgreSQL database of this test, dropped at its end."""
    name = f"ia_scale_{str(ULID()).lower()}"
    try:
        admin = psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable (see README to start it): {exc}")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        # Migrated once here: four processes starting together would race to create tables.
        migrate(url)
        yield url
    finally:
        with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def made_ids() -> set[str]:
    """Ids of what the test made; arq keys naming one of them are removed afterwards."""
    return set()


@pytest.fixture
def queue_name(made_ids: set[str]) -> Iterator[str]:
    """A queue of this test's own; its keys are removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} (see README to start it): {exc}")
    name = f"ia-scale:{ULID()}"
    yield name
    doomed = [name, f"{name}:health-check"]
    for key in client.scan_iter(match="arq:*"):
        text = key.decode()
        if any(made in text for made in made_ids):
            doomed.append(text)
    client.delete(*doomed)
    client.close()


@dataclass
class Process:
    """A started ``ingestion-agent`` process and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    handle: IO[bytes]

    def events(self) -> list[dict[str, Any]]:
        """Its JSON log lines."""
        self.handle.flush()
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return found

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self.handle.close()


@dataclass
class Deployment:
    """Two API processes and two workers sharing a database, a queue and an inventory."""

    api_urls: list[str]
    apis: list[Process]
    workers: list[Process]
    database_url: str


@pytest.fixture
def deployment(
    tmp_path: Path,
    database: str,
    queue_name: str,
    seaweed: SeaweedS3,
    s3_admin: S3Client,
) -> Iterator[Deployment]:
    """The four processes, started and stopped around the test."""
    inventory = f"inv-{str(ULID()).lower()}"
    s3_admin.create_bucket(Bucket=inventory)
    env = {
        **os.environ,
        "INGESTION_AGENT_DATABASE_URL": database,
        "INGESTION_AGENT_REDIS_URL": REDIS_URL,
        "INGESTION_AGENT_QUEUE_NAME": queue_name,
        "INGESTION_AGENT_WORKERS": "external",
        "INGESTION_AGENT_SCHEDULER_INTERVAL": "1",
        "INGESTION_AGENT_VAULT_KEY": encode_key(generate_key()),
        "INGESTION_AGENT_ALLOWED_NETWORKS": "127.0.0.0/8",
        "INGESTION_AGENT_INVENTORY_URL": f"s3://{inventory}/inventory",
        "INGESTION_AGENT_INVENTORY_S3_ENDPOINT": seaweed.endpoint_url,
        "INGESTION_AGENT_INVENTORY_S3_ACCESS_KEY_ID": seaweed.admin.access_key_id,
        "INGESTION_AGENT_INVENTORY_S3_SECRET_ACCESS_KEY": seaweed.admin.secret_access_key,
        "INGESTION_AGENT_LOG_FORMAT": "json",
    }
    processes: list[Process] = []

    def start(name: str, *args: str) -> Process:
        data_dir = tmp_path / name
        log = tmp_path / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(
            [_cli(), *args],
            env={**env, "INGESTION_AGENT_DATA_DIR": str(data_dir)},
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        process = Process(name, popen, log, handle)
        processes.append(process)
        return process

    try:
        ports = [free_port(), free_port()]
        apis = [
            start(f"api-{i}", "serve", "--host", "127.0.0.1", "--port", str(port))
            for i, port in enumerate(ports)
        ]
        workers = [start(f"worker-{i}", "worker") for i in range(2)]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        _wait_healthy(urls, processes)
        yield Deployment(urls, apis, workers, database)
    finally:
        for process in processes:
            process.stop()


def _wait_healthy(urls: list[str], processes: list[Process]) -> None:
    deadline = time.monotonic() + 60
    pending = list(urls)
    while pending and time.monotonic() < deadline:
        for process in processes:
            if process.popen.poll() is not None:
                pytest.fail(f"{process.name} exited: {process.log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{pending[0]}/healthz", timeout=1).status_code == 200:
                pending.pop(0)
                continue
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    assert not pending, f"not healthy: {pending}"


def _cron_at(moment: datetime) -> str:
    """A six-field cron (seconds last) that fires at ``moment`` (UTC) and not again soon."""
    return f"{moment.minute} {moment.hour} {moment.day} {moment.month} * {moment.second}"


@pytest.fixture
async def sessions(deployment: Deployment) -> AsyncIterator[Any]:
    """Sessions on the deployment's database, for looking at what the processes did."""
    engine = create_engine(deployment.database_url)
    yield session_factory(engine)
    await engine.dispose()


async def test_one_tick_fired_by_two_schedulers_is_one_pull_and_each_upload_one_job(
    deployment: Deployment,
    sessions: Any,
    seaweed: SeaweedS3,
    bucket: str,
    s3_admin: S3Client,
    made_ids: set[str],
) -> None:
    for key, body in FILES.items():
        s3_admin.put_object(Bucket=bucket, Key=key, Body=body)
    async with httpx.AsyncClient(headers=HEADERS, timeout=30) as client:
        agent = await client.post(f"{deployment.api_urls[0]}/api/v1/agents", json={"name": "a"})
        assert agent.status_code == 201, agent.text
        agent_id = agent.json()["id"]
        tick = (datetime.now(UTC) + timedelta(seconds=8)).replace(microsecond=0)
        created = await client.post(
            f"{deployment.api_urls[1]}/api/v1/agents/{agent_id}/data-sources",
            json={
                "role": "INVENTORY_SOURCE",
                "type": "S3",
                "name": "Drops",
                "config": {
                    "bucket": bucket,
                    "prefix": "drops/",
                    "region": "us-east-1",
                    "endpointUrl": seaweed.endpoint_url,
                },
                "secret": {
                    "accessKeyId": seaweed.admin.access_key_id,
                    "secretAccessKey": seaweed.admin.secret_access_key,
                },
                "format": "CSV",
                "scheduleCron": _cron_at(tick),
            },
        )
        assert created.status_code == 201, created.text
        source_id = created.json()["id"]
        made_ids.add(source_id)
    assert datetime.now(UTC) < tick, "the source was created too slowly to catch its tick"

    async def settled() -> tuple[list[Sync], list[InventoryUpload], list[Job]]:
        async with sessions() as db:
            syncs = list(
                (await db.execute(select(Sync).where(Sync.source_id == source_id))).scalars()
            )
            uploads = list(
                (
                    await db.execute(
                        select(InventoryUpload).where(InventoryUpload.source_id == source_id)
                    )
                ).scalars()
            )
            jobs = list((await db.execute(select(Job).where(Job.agent_id == agent_id))).scalars())
        return syncs, uploads, jobs

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        syncs, uploads, jobs = await settled()
        done = [j for j in jobs if j.status in ("succeeded", "partial", "failed")]
        if syncs and all(s.finished_at for s in syncs) and len(done) == len(FILES):
            break
        await asyncio.sleep(0.5)
    # Both schedulers keep scanning every second: give them time to (wrongly) fire again.
    await asyncio.sleep(4)
    syncs, uploads, jobs = await settled()
    made_ids.update(j.id for j in jobs)

    (pull,) = syncs
    assert (pull.trigger, pull.status) == ("schedule", "succeeded")
    assert sorted(e["key"] for e in pull.manifest) == sorted(FILES)
    assert len(uploads) == len(FILES)
    assert sorted(j.upload_id for j in jobs) == sorted(u.id for u in uploads)
    assert {j.status for j in jobs} == {"succeeded"}

    # Both schedulers fire the tick; the queue takes its key once.
    key = f"pull:{source_id}:{tick:%Y-%m-%dT%H:%M:%SZ}"
    api_events = [e for p in deployment.apis for e in p.events() if e.get("task") == key]
    enqueued = [e for e in api_events if e["event"] == "queue_enqueued"]
    assert len(enqueued) == 1, api_events
    worker_pids = {p.popen.pid for p in deployment.workers}
    ran_pull = [
        p for p in deployment.workers if any(e["event"] == "pull_finished" for e in p.events())
    ]
    ran_jobs = [
        p for p in deployment.workers if any(e["event"] == "job_finished" for e in p.events())
    ]
    assert len(ran_pull) == 1
    assert ran_jobs
    assert (pull.checkpoint or {}).get("owner", {}).get("pid") in worker_pids | {None}
    for api in deployment.apis:
        assert not [e for e in api.events() if e["event"] in ("pull_finished", "job_finished")]


def test_a_worker_without_redis_says_what_to_set(tmp_path: Path) -> None:
    env = {**os.environ, "INGESTION_AGENT_DATA_DIR": str(tmp_path)}
    env.pop("INGESTION_AGENT_REDIS_URL", None)

    result = subprocess.run(
        [_cli(), "worker"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 2
    assert "INGESTION_AGENT_REDIS_URL" in result.stderr
