"""A pull killed with SIGKILL at any point loses nothing and duplicates nothing.

A real process (``pull_child.py``) pulls a SeaweedFS bucket into a local inventory and is
killed: after its first announced upload, after several, and at a random moment after it
started. Each next run marks the killed sync interrupted, deletes what the killed process
stored but never registered, and takes the rest. In the end there is one upload per
(source, key, ETag), exactly one stored file per upload, and every upload was announced.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mypy_boto3_s3 import S3Client
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connections.db.models import InventoryUpload, Sync
from connections.deps import ServiceDeps
from connections.inventory import LocalInventoryStore
from connections.sync import INTERRUPTED, PullEngine, PullSettings
from connections.vault.keys import encode_key
from tests.connections.sync.support import Tenant, csv_bytes, put_objects
from tests.support.seaweedfs import SeaweedS3

OBJECTS = 30
_TIMEOUT = 60.0


class Child:
    """``pull_child.py`` running one pull; read its lines, kill it."""

    def __init__(self, args: list[str], env: dict[str, str], repo: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.connections.sync.pull_child", *args],
            cwd=repo,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []

    def wait_for(self, prefix: str, count: int = 1) -> bool:
        """Read lines until ``count`` start with ``prefix``; False if the pull ended first."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + _TIMEOUT
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                return False
            self.lines.append(line.strip())
            if sum(1 for seen in self.lines if seen.startswith(prefix)) >= count:
                return True
        raise AssertionError(f"no {count} x {prefix!r} within {_TIMEOUT}s: {self.lines}")

    def kill(self) -> None:
        """SIGKILL, reap (a zombie would still look alive to the next pull), read the rest."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(_TIMEOUT)
        assert self.process.stdout is not None
        self.lines += [line.strip() for line in self.process.stdout]

    def finish(self) -> None:
        """Let it run to its end."""
        assert self.process.stdout is not None
        self.lines += [line.strip() for line in self.process.stdout]
        assert self.process.wait(_TIMEOUT) == 0

    @property
    def announced(self) -> set[str]:
        return {line.split()[1] for line in self.lines if line.startswith("UPLOADED")}


def _kill_runs(args: list[str], env: dict[str, str], repo: Path) -> tuple[set[str], int]:
    """Run and kill children; return what they announced and how many were killed."""
    announced: set[str] = set()
    killed = 0
    # Right as it starts (begin, listing), after its first upload, after a few more; other
    # downloads are in flight each time, so the kill lands anywhere in their pipeline.
    stops = [("READY", 1, random.uniform(0, 0.05)), ("UPLOADED", 1, 0.0)]
    stops.append(("UPLOADED", random.randint(3, 8), 0.0))
    for marker, count, delay in stops:
        child = Child(args, env, repo)
        if not child.wait_for(marker, count):
            child.finish()  # it got to the end first: nothing left to kill
            announced |= child.announced
            break
        time.sleep(delay)
        child.kill()
        killed += 1
        announced |= child.announced
    return announced, killed


def _files(folder: Path) -> dict[Path, bytes]:
    """Every file under ``folder`` with its bytes."""
    if not folder.exists():
        return {}
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def child_env(deps: ServiceDeps) -> dict[str, str]:
    """The environment of a child: the test vault's key."""
    keyring = deps.vault.keyring
    return {**os.environ, "INGESTION_AGENT_VAULT_KEY": encode_key(keyring.key(keyring.active_id))}


async def test_a_pull_killed_at_any_point_loses_and_duplicates_nothing(
    deps: ServiceDeps,
    engine: AsyncEngine,
    tenant: Tenant,
    seaweed: SeaweedS3,
    s3_admin: S3Client,
    bucket: str,
    tmp_path: Path,
    repo_root: Path,
    child_env: dict[str, str],
) -> None:
    files = {f"daily/part-{i:03d}.csv": csv_bytes(2000, start=i) for i in range(OBJECTS)}
    put_objects(s3_admin, bucket, files)
    source_id = await tenant.add_s3_source(seaweed, bucket)
    inventory, scratch = tmp_path / "inventory", tmp_path / "scratch"
    args = [
        engine.url.render_as_string(hide_password=False),
        str(inventory),
        str(scratch),
        source_id,
    ]
    announced, killed = await asyncio.to_thread(_kill_runs, args, child_env, repo_root)

    # The last run, here in the test's process, finishes the job.
    calls: list[str] = []

    async def on_upload(upload_id: str) -> None:
        calls.append(upload_id)

    store = LocalInventoryStore(inventory)
    settings = PullSettings(scratch_dir=scratch, concurrency=4)
    last = await tenant.sync(
        await PullEngine(deps, store, on_upload, settings=settings).pull(source_id)
    )
    announced |= set(calls)

    uploads = await tenant.uploads(source_id)
    assert last.status == "succeeded"
    assert sorted(u.key for u in uploads) == sorted(files)  # one each: nothing twice
    assert len({(u.key, u.etag) for u in uploads}) == len(uploads) == OBJECTS
    stored = await asyncio.to_thread(_files, inventory)
    assert stored == {Path(u.location): files[u.key] for u in uploads}  # no orphan left
    assert announced >= {u.id for u in uploads}  # every upload reached on_upload
    assert await asyncio.to_thread(_files, scratch) == {}
    async with deps.database() as db:
        syncs = (
            await db.scalars(select(Sync).where(Sync.source_id == source_id).order_by(Sync.id))
        ).all()
        registered = (
            await db.scalars(
                select(InventoryUpload.sync_id).where(InventoryUpload.source_id == source_id)
            )
        ).all()
    # A child killed before it began its sync left none.
    assert 1 < len(syncs) <= killed + 1
    for sync in syncs[:-1]:
        assert sync.status == "failed"
        assert sync.error == INTERRUPTED
        assert sync.finished_at is not None
        # Its manifest is what it registered before it died.
        assert len(sync.manifest) == sum(1 for s in registered if s == sync.id)
    assert syncs[-1].id == last.id
