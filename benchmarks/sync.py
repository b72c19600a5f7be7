"""The sync engine against ``aws s3 sync`` and bare boto3, on one SeaweedFS server (issue 6).

    python -m benchmarks.sync            # 2,000 x 50 KB, a 20,000-object tick, a 1 GiB CSV
    python -m benchmarks.sync --quick    # 200 objects, 2,000 tick objects, a 64 MB CSV
    python -m benchmarks.sync --drop     # remove the kept server data and the awscli venv

Three measurements, one SeaweedFS server (``weed server -s3`` on free loopback ports, its
data kept in ``var/bench/seaweedfs`` so the buckets are filled only on the first run):

1. **Pull**: 2,000 objects of 50 KB, downloaded into fresh destinations by our engine
   (``PullEngine.pull`` of an S3 source, fresh SQLite database and local inventory store
   each run, production settings) and by ``aws s3 sync`` (awscli in its own venv
   ``var/bench/awscli-venv``, default settings), best of ``--repeat`` each. Floor: the same
   objects fetched by bare boto3 ``get_object`` on as many threads as the engine uses,
   written to files (no database, no fsync). Target: ours / awscli ≤ 1.0.
2. **Tick**: a scheduled pull of a prefix of 20,000 objects that were all taken by the
   previous pull (nothing new). Peer: listing the prefix with boto3; floor: the time the
   server takes to answer that listing. Target: < 2 s, judged on the slowest of
   ``--repeat`` ticks.
3. **Big CSV**: a 1 GiB CSV object pulled and then processed by its job (``JobEngine``)
   in a fresh process; its peak RSS (``VmHWM``) must stay under 200 MB.

Prints progress on stderr and one JSON line with the figures last on stdout;
``render(result)`` makes the markdown table of ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import structlog
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
SEAWEED_DIR = BENCH / "seaweedfs"
AWSCLI_VENV = BENCH / "awscli-venv"
KB, MIB = 1024, 1 << 20
OBJECT_SIZE = 50 * KB
PULL_BUCKET, TICK_BUCKET, CSV_BUCKET = "bench-pull", "bench-tick", "bench-csv"
PULL_TARGET_RATIO = 1.0
TICK_TARGET_S = 2.0
RSS_TARGET_MB = 200.0
CSV_HEADER = "id,name,qty,description\n"
CSV_MAPPING = {"fields": {"sku": "id", "title": "name", "stock": "qty"}}
_ENV_ENDPOINT, _ENV_KEY, _ENV_SECRET = "BENCH_S3_ENDPOINT", "BENCH_S3_KEY", "BENCH_S3_SECRET"


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _quiet_logs() -> None:
    """Warnings and errors only, on stderr: stdout carries the JSON result."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


@dataclass(frozen=True)
class S3:
    """Where the server is and the keys to use (admin arranges, reader pulls)."""

    endpoint: str
    admin: tuple[str, str]
    reader: tuple[str, str]

    def client(self, *, reader: bool = False, pool: int = 64) -> Any:
        key, secret = self.reader if reader else self.admin
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            region_name="us-east-1",
            config=Config(max_pool_connections=pool, retries={"max_attempts": 5}),
        )


@contextlib.contextmanager
def _server() -> Iterator[S3]:
    """SeaweedFS via the tests' helper, with its data kept across runs."""
    from tests.support.seaweedfs import run_seaweedfs  # noqa: PLC0415 - test support code

    SEAWEED_DIR.mkdir(parents=True, exist_ok=True)
    with run_seaweedfs(SEAWEED_DIR) as server:
        yield S3(
            server.endpoint_url,
            (server.admin.access_key_id, server.admin.secret_access_key),
            (server.reader.access_key_id, server.reader.secret_access_key),
        )


# -- arranging the buckets -------------------------------------------------------------------


def _ensure_bucket(client: Any, bucket: str) -> None:
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)


def _listed(client: Any, bucket: str, prefix: str) -> dict[str, int]:
    """Key → size of every object under ``prefix``."""
    found: dict[str, int] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            found[obj["Key"]] = int(obj["Size"])
    return found


def _fill(client: Any, bucket: str, prefix: str, bodies: dict[str, Callable[[], bytes]]) -> None:
    """Put the objects of ``bodies`` missing under ``prefix``, on many threads."""
    _ensure_bucket(client, bucket)
    have = _listed(client, bucket, prefix)
    missing = [key for key in bodies if key not in have]
    if not missing:
        return
    _say(f"putting {len(missing):,} objects into {bucket}/{prefix}…")
    started = time.perf_counter()

    def put(key: str) -> None:
        client.put_object(Bucket=bucket, Key=key, Body=bodies[key]())

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(put, missing))
    _say(f"  put in {time.perf_counter() - started:.1f} s")


def _object_body(index: int) -> bytes:
    """A 50 KB CSV file, different for each index."""
    header = f"id,name,qty\nobj-{index:06d},first,{index}\n".encode()
    row = b"SKU-000000,A widget of the benchmark,1\n"
    body = header + row * ((OBJECT_SIZE - len(header)) // len(row) + 1)
    return body[:OBJECT_SIZE]


def _pull_objects(count: int) -> tuple[str, dict[str, Callable[[], bytes]]]:
    prefix = f"objects-{count}/"
    return prefix, {
        f"{prefix}part-{i:06d}.csv": (lambda i=i: _object_body(i))  # type: ignore[misc]
        for i in range(count)
    }


def _tick_objects(count: int) -> tuple[str, dict[str, Callable[[], bytes]]]:
    prefix = f"tick-{count}/"
    return prefix, {
        f"{prefix}{i // 1000:03d}/f-{i:06d}.csv": (lambda i=i: f"id\n{i}\n".encode())  # type: ignore[misc]
        for i in range(count)
    }


# -- our engine ------------------------------------------------------------------------------


@dataclass
class _Ours:
    """A runtime on a fresh SQLite database, an agent and one S3 source."""

    runtime: Any
    engine: Any
    source_id: str
    work: Path

    @classmethod
    async def open(
        cls,
        work: Path,
        s3: S3,
        bucket: str,
        prefix: str,
        *,
        jobs: bool = False,
        mapping: dict[str, Any] | None = None,
    ) -> _Ours:
        # Imported here so the --csv-child process measures its own imports only once.
        from connections.db.models import Agent, DataSource  # noqa: PLC0415
        from connections.rules import RuleSet  # noqa: PLC0415
        from connections.runtime import open_runtime  # noqa: PLC0415
        from connections.sync import PullEngine, PullSettings  # noqa: PLC0415
        from connectors.base import ConnectorContext  # noqa: PLC0415
        from connectors.guard import NetworkPolicy  # noqa: PLC0415
        from core.ids import new_id  # noqa: PLC0415

        context = ConnectorContext(network=NetworkPolicy.from_string("127.0.0.0/8"))
        scratch = (work / "tmp" / "pulls").resolve()
        settings = PullSettings(scratch_dir=scratch)
        runtime = await open_runtime(
            database_url=f"sqlite:///{work / 'bench.db'}",
            data_dir=work,
            vault_key=None,
            connector_context=context,
            pull_settings=settings,
        )
        deps = runtime.service.deps
        rules = RuleSet().model_dump(mode="json")
        rules["mapping_jobs"]["trigger_on_new_inventory_upload"] = jobs
        tenant = "bench"
        config = {
            "bucket": bucket,
            "prefix": prefix,
            "endpoint_url": s3.endpoint,
            "region": "us-east-1",
            "format": "CSV",
        }
        connector = deps.registry.create("S3", context)
        values = {"access_key_id": s3.reader[0], "secret_access_key": s3.reader[1]}
        parsed, _ = connector.parse(config, values)
        normalised = parsed.model_dump(mode="json", exclude_none=True)
        async with deps.database() as db:
            agent = Agent(
                id=new_id("agt"), tenant_id=tenant, name="bench", rules=rules, created_by="bench"
            )
            db.add(agent)
            await db.flush()
            secret = await deps.vault.store(db, tenant_id=tenant, user_id="bench", values=values)
            source = DataSource(
                id=new_id("src"),
                tenant_id=tenant,
                agent_id=agent.id,
                role="INVENTORY_SOURCE",
                type="S3",
                name="bench",
                config=normalised,
                secret_id=secret.id,
                format="CSV",
                default_mapping=mapping,
                created_by="bench",
            )
            db.add(source)
            await db.commit()
            source_id = source.id
        # The pull alone: jobs (when wanted) are started and timed apart, by the caller.
        engine = PullEngine(deps, runtime.inventory, None, settings=settings)
        return cls(runtime, engine, source_id, work)

    async def pull(self, trigger: str = "manual") -> tuple[float, Any]:
        """One pull, timed; its sync row."""
        from connections.db.models import Sync  # noqa: PLC0415

        started = time.perf_counter()
        sync_id = await self.engine.pull(self.source_id, trigger=trigger)
        seconds = time.perf_counter() - started
        async with self.runtime.service.deps.database() as db:
            sync = await db.get(Sync, sync_id)
        return seconds, sync

    async def close(self) -> None:
        await self.runtime.close()


def _check(sync: Any, *, uploads: int) -> None:
    taken = sum(1 for e in sync.manifest if e["status"] == "uploaded")
    if sync.status != "succeeded" or taken != uploads:
        raise RuntimeError(
            f"pull {sync.id}: status {sync.status}, {taken} uploaded (wanted {uploads}); "
            f"error: {sync.error}"
        )


def _ours_pull_once(s3: S3, prefix: str, count: int) -> float:
    async def run() -> float:
        with tempfile.TemporaryDirectory(dir=BENCH / "tmp") as tmp:
            ours = await _Ours.open(Path(tmp), s3, PULL_BUCKET, prefix)
            try:
                seconds, sync = await ours.pull()
                _check(sync, uploads=count)
                return seconds
            finally:
                await ours.close()

    return asyncio.run(run())


# -- the peers -------------------------------------------------------------------------------


def _aws_binary() -> tuple[Path, str]:
    """awscli in its own venv (it pins botocore, so never in ours); its version line."""
    aws = AWSCLI_VENV / "bin" / "aws"
    if not aws.exists():
        _say(f"creating {AWSCLI_VENV.relative_to(ROOT)} with awscli from PyPI…")
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(AWSCLI_VENV)], check=True)
        pip = [str(AWSCLI_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "awscli"], check=True)
    version = subprocess.run(
        [str(aws), "--version"], check=True, capture_output=True, text=True, env=_aws_env()
    )
    return aws, (version.stdout or version.stderr).strip()


def _aws_env(s3: S3 | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # No user configuration: awscli's defaults (10 concurrent requests) are what is compared.
    env |= {
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if s3 is not None:
        env |= {"AWS_ACCESS_KEY_ID": s3.reader[0], "AWS_SECRET_ACCESS_KEY": s3.reader[1]}
    return env


def _aws_sync_once(aws: Path, s3: S3, prefix: str, count: int) -> float:
    with tempfile.TemporaryDirectory(dir=BENCH / "tmp") as dest:
        command = [
            str(aws),
            "s3",
            "sync",
            f"s3://{PULL_BUCKET}/{prefix}",
            dest,
            "--endpoint-url",
            s3.endpoint,
            "--only-show-errors",
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, env=_aws_env(s3))
        seconds = time.perf_counter() - started
        got = sum(1 for p in Path(dest).rglob("*") if p.is_file())
        if got != count:
            raise RuntimeError(f"aws s3 sync wrote {got} files, wanted {count}")
        return seconds


def _aws_startup(aws: Path) -> float:
    """Seconds for ``aws --version``: the CLI's own start-up, part of every sync above."""
    started = time.perf_counter()
    subprocess.run([str(aws), "--version"], check=True, capture_output=True, env=_aws_env())
    return time.perf_counter() - started


def _boto3_floor_once(s3: S3, prefix: str, count: int, threads: int) -> float:
    """Bare boto3: list, then get_object on ``threads`` threads into files."""
    client = s3.client(reader=True, pool=threads)
    with tempfile.TemporaryDirectory(dir=BENCH / "tmp") as dest:
        started = time.perf_counter()
        keys = list(_listed(client, PULL_BUCKET, prefix))

        def fetch(key: str) -> None:
            body = client.get_object(Bucket=PULL_BUCKET, Key=key)["Body"]
            with (Path(dest) / key.rsplit("/", 1)[-1]).open("wb") as out:
                shutil.copyfileobj(body, out, MIB)

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(fetch, keys))
        seconds = time.perf_counter() - started
    if len(keys) != count:
        raise RuntimeError(f"boto3 listed {len(keys)} objects, wanted {count}")
    return seconds


def _list_floor_once(s3: S3, prefix: str, count: int) -> tuple[float, float]:
    """Seconds to list the prefix with boto3, and of those, seconds waiting on the server."""
    client = s3.client(reader=True)
    marks: list[tuple[str, float]] = []
    events = client.meta.events
    for event, label in (("before-send", "sent"), ("before-parse", "answered")):
        events.register(
            f"{event}.s3.ListObjectsV2",
            lambda label=label, **_: marks.append((label, time.perf_counter())),
        )
    started = time.perf_counter()
    listed = _listed(client, TICK_BUCKET, prefix)
    seconds = time.perf_counter() - started
    if len(listed) != count:
        raise RuntimeError(f"listed {len(listed)} objects, wanted {count}")
    server = sum(
        b - a for (la, a), (lb, b) in itertools.pairwise(marks) if (la, lb) == ("sent", "answered")
    )
    return seconds, server


# -- the three measurements ------------------------------------------------------------------


def bench_pull(s3: S3, count: int, repeat: int) -> dict[str, Any]:
    """Ours, awscli and the boto3 floor on ``count`` objects of 50 KB."""
    from connections.sync import PullSettings  # noqa: PLC0415

    prefix, bodies = _pull_objects(count)
    _fill(s3.client(), PULL_BUCKET, prefix, bodies)
    aws, aws_version = _aws_binary()
    threads = PullSettings().concurrency
    runs: dict[str, list[float]] = {"ours": [], "awscli": [], "boto3": []}
    # Interleaved, so that a slow patch of the machine hits every contender alike.
    for i in range(repeat):
        runs["ours"].append(_ours_pull_once(s3, prefix, count))
        runs["awscli"].append(_aws_sync_once(aws, s3, prefix, count))
        runs["boto3"].append(_boto3_floor_once(s3, prefix, count, threads))
        _say(
            f"pull run {i + 1}/{repeat}: ours {runs['ours'][-1]:.2f} s, "
            f"awscli {runs['awscli'][-1]:.2f} s, boto3 {runs['boto3'][-1]:.2f} s"
        )
    return {
        "objects": count,
        "object_bytes": OBJECT_SIZE,
        "threads": threads,
        "awscli_version": aws_version,
        "awscli_startup_s": _aws_startup(aws),
        "runs": runs,
        "ours_s": min(runs["ours"]),
        "awscli_s": min(runs["awscli"]),
        "boto3_s": min(runs["boto3"]),
    }


def bench_tick(s3: S3, count: int, repeat: int) -> dict[str, Any]:
    """A warm pull of ``count`` objects, then ticks with nothing new."""
    prefix, bodies = _tick_objects(count)
    _fill(s3.client(), TICK_BUCKET, prefix, bodies)
    listing = [_list_floor_once(s3, prefix, count) for _ in range(repeat)]
    _say(f"boto3 listing of {count:,} objects: {min(t for t, _ in listing):.3f} s")

    async def run() -> tuple[float, list[float]]:
        with tempfile.TemporaryDirectory(dir=BENCH / "tmp") as tmp:
            ours = await _Ours.open(Path(tmp), s3, TICK_BUCKET, prefix)
            try:
                _say(f"warm pull of {count:,} objects…")
                first, sync = await ours.pull()
                _check(sync, uploads=count)
                _say(f"  warm pull {first:.1f} s")
                ticks = []
                for _ in range(repeat):
                    seconds, sync = await ours.pull(trigger="schedule")
                    _check(sync, uploads=0)
                    ticks.append(seconds)
                    _say(f"tick with nothing new: {seconds:.3f} s")
                return first, ticks
            finally:
                await ours.close()

    first, ticks = asyncio.run(run())
    return {
        "objects": count,
        "warm_pull_s": first,
        "ticks": ticks,
        "tick_best_s": min(ticks),
        "tick_worst_s": max(ticks),
        "listing_s": min(t for t, _ in listing),
        "listing_server_s": min(w for _, w in listing),
    }


def _write_csv(path: Path, size: int) -> int:
    """A CSV of ``size`` bytes or a little more, written in blocks; its row count."""
    rows, written, block_rows = 0, 0, 20_000
    with path.open("w", encoding="utf-8", newline="") as out:
        written += out.write(CSV_HEADER)
        while written < size:
            block = "".join(
                f"SKU-{rows + i:09d},Widget number {rows + i},{i % 97},"
                "A plain description of this widget for the catalogue\n"
                for i in range(block_rows)
            )
            written += out.write(block)
            rows += block_rows
    return rows


def _ensure_csv(s3: S3, size: int) -> tuple[str, int, int]:
    """The CSV object of at least ``size`` bytes (made once, then kept); prefix, rows, bytes."""
    client = s3.client()
    _ensure_bucket(client, CSV_BUCKET)
    prefix = f"csv-{size // MIB}mb/"
    key = f"{prefix}inventory.csv"
    with contextlib.suppress(client.exceptions.ClientError):
        head = client.head_object(Bucket=CSV_BUCKET, Key=key)
        rows = head.get("Metadata", {}).get("rows")
        if rows and head["ContentLength"] >= size:
            return prefix, int(rows), int(head["ContentLength"])
    (BENCH / "tmp").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BENCH / "tmp") as tmp:
        path = Path(tmp) / "inventory.csv"
        _say(f"writing a {size / MIB:,.0f} MiB CSV and uploading it (multipart)…")
        rows = _write_csv(path, size)
        transfer = TransferConfig(multipart_chunksize=16 * MIB, max_concurrency=4)
        with path.open("rb") as body:
            client.upload_fileobj(
                body, CSV_BUCKET, key, ExtraArgs={"Metadata": {"rows": str(rows)}}, Config=transfer
            )
        return prefix, rows, path.stat().st_size


def bench_csv(s3: S3, size: int) -> dict[str, Any]:
    """The CSV pulled and processed in a child process; its figures."""
    prefix, rows, nbytes = _ensure_csv(s3, size)
    _say(f"pulling and processing {nbytes / MIB:,.0f} MiB ({rows:,} rows) in a child process…")
    env = os.environ | {
        _ENV_ENDPOINT: s3.endpoint,
        _ENV_KEY: s3.reader[0],
        _ENV_SECRET: s3.reader[1],
    }
    command = [sys.executable, "-m", "benchmarks.sync", "--csv-child", prefix, "--rows", str(rows)]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=3600
    )
    if done.returncode != 0:
        raise RuntimeError(f"the CSV child failed:\n{done.stderr[-3000:]}")
    child: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    _say(
        f"  pull {child['pull_s']:.1f} s, job {child['job_s']:.1f} s, "
        f"peak RSS {child['vmhwm_mb']:.0f} MB"
    )
    return {"bytes": nbytes, "rows": rows, **child}


# -- the CSV child ---------------------------------------------------------------------------


def _status_mb(field: str) -> float:
    """A ``/proc/self/status`` memory figure (``VmHWM``, ``VmRSS``) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * KB / 1e6
    raise RuntimeError(f"no {field} in /proc/self/status")


async def _csv_child(prefix: str, rows: int) -> dict[str, Any]:
    from connections.db.models import InventoryUpload, Job  # noqa: PLC0415

    s3 = S3(
        os.environ[_ENV_ENDPOINT],
        ("", ""),
        (os.environ[_ENV_KEY], os.environ[_ENV_SECRET]),
    )
    (BENCH / "tmp").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BENCH / "tmp") as tmp:
        ours = await _Ours.open(Path(tmp), s3, CSV_BUCKET, prefix, jobs=True, mapping=CSV_MAPPING)
        try:
            rss_ready = _status_mb("VmRSS")
            pull_s, sync = await ours.pull()
            _check(sync, uploads=1)
            hwm_pull = _status_mb("VmHWM")
            async with ours.runtime.service.deps.database() as db:
                upload = (await db.execute(InventoryUpload.__table__.select())).one()
            started = time.perf_counter()
            job_id = await ours.runtime.jobs.start(upload.id)
            job_s = time.perf_counter() - started
            async with ours.runtime.service.deps.database() as db:
                job = await db.get(Job, job_id)
            if job is None or job.status != "succeeded" or job.records_out != rows:
                status = None if job is None else (job.status, job.records_out, job.error)
                raise RuntimeError(f"the job did not take every row: {status} of {rows}")
            return {
                "pull_s": pull_s,
                "job_s": job_s,
                "job_status": job.status,
                "records_out": job.records_out,
                "rss_ready_mb": rss_ready,
                "vmhwm_after_pull_mb": hwm_pull,
            }
        finally:
            await ours.close()


def _child_main(prefix: str, rows: int) -> None:
    result = asyncio.run(_csv_child(prefix, rows))
    # VmHWM is this program's own peak. ru_maxrss is reported too, but on Linux it keeps
    # the peak of the process image replaced by exec (the benchmark that spawned us).
    result["vmhwm_mb"] = _status_mb("VmHWM")
    result["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KB / 1e6
    print(json.dumps(result), flush=True)


# -- rendering -------------------------------------------------------------------------------


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _verdict(ok: bool) -> str:  # noqa: FBT001 - a yes/no rendered as a word
    return "met" if ok else "MISSED"


def render(result: dict[str, Any]) -> str:
    """The results as markdown: figures, peers and floors, ratios and verdicts."""
    pull, tick, csv = result["pull"], result["tick"], result["csv"]
    n, size = pull["objects"], pull["object_bytes"]
    mb = n * size / 1e6
    ratio = pull["ours_s"] / pull["awscli_s"]
    lines = [
        f"Measured {result['when']} on {result['cpus']} CPUs, Python {result['python']}, "
        f"SeaweedFS {result['seaweedfs']} on loopback"
        f"{' (--quick)' if result['quick'] else ''}. Best of {result['repeat']} runs unless "
        "said otherwise.",
        "",
        _row("measurement", "ours", "peer / floor", "ratio", "target", "verdict"),
        "|---|---:|---|---:|---|---|",
        _row(
            f"pull {n:,} objects of {size // KB} KB ({mb:.0f} MB) into fresh destinations",
            f"{pull['ours_s']:.2f} s ({n / pull['ours_s']:,.0f} obj/s)",
            f"`aws s3 sync` {pull['awscli_s']:.2f} s "
            f"(of which {pull['awscli_startup_s']:.2f} s CLI start-up); "
            f"floor: bare boto3, {pull['threads']} threads, {pull['boto3_s']:.2f} s",
            f"{ratio:.2f} ours/awscli; {pull['ours_s'] / pull['boto3_s']:.2f} ours/boto3",
            f"ours/awscli ≤ {PULL_TARGET_RATIO:.1f}",
            _verdict(ratio <= PULL_TARGET_RATIO),
        ),
        _row(
            f"scheduled tick, nothing new, prefix of {tick['objects']:,} objects",
            f"{tick['tick_worst_s']:.3f} s slowest, {tick['tick_best_s']:.3f} s best",
            f"peer: listing the prefix with boto3 {tick['listing_s']:.3f} s; floor: the "
            f"server's answers to that listing {tick['listing_server_s']:.3f} s",
            f"{tick['tick_worst_s'] / tick['listing_s']:.2f} ours/boto3 listing",
            f"< {TICK_TARGET_S:.0f} s",
            _verdict(tick["tick_worst_s"] < TICK_TARGET_S),
        ),
        _row(
            f"{csv['bytes'] / MIB:,.0f} MiB CSV ({csv['rows']:,} rows) pulled, then its job run",
            f"peak RSS {csv['vmhwm_mb']:.0f} MB; pull {csv['pull_s']:.1f} s, "
            f"job {csv['job_s']:.1f} s",
            f"process ready (imports, runtime): {csv['rss_ready_mb']:.0f} MB; "
            f"peak after the pull {csv['vmhwm_after_pull_mb']:.0f} MB",
            "—",
            f"< {RSS_TARGET_MB:.0f} MB",
            _verdict(csv["vmhwm_mb"] < RSS_TARGET_MB),
        ),
        "",
        f"Pull runs (s): ours {_runs(pull['runs']['ours'])}; awscli "
        f"{_runs(pull['runs']['awscli'])}; boto3 {_runs(pull['runs']['boto3'])}. "
        f"Ours: `PullEngine.pull` of an S3 source with production settings (fresh SQLite "
        f"database and local inventory store each run, every file fsynced, one upload row "
        f"each); awscli: {pull['awscli_version'].split()[0]} in its own venv, default "
        "settings (10 concurrent requests).",
        f"Tick: the first pull of the {tick['objects']:,} objects took "
        f"{tick['warm_pull_s']:.1f} s; the ticks took {_runs(tick['ticks'])} s. "
        f"Big CSV: peak RSS is the child's VmHWM; its ru_maxrss said "
        f"{csv['ru_maxrss_mb']:.0f} MB (on Linux that also counts the image exec replaced).",
    ]
    return "\n".join(lines)


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


# -- entry point -----------------------------------------------------------------------------


def _weed_version() -> str:
    from api.demo.seaweed import weed_binary  # noqa: PLC0415

    out = subprocess.run([weed_binary(), "version"], capture_output=True, text=True, check=False)
    words = out.stdout.split()
    return words[2] if len(words) > 2 else "?"  # "version 8000GB 4.48 …"


def _terminate(signum: int, _frame: object) -> None:
    # SIGTERM ends the run like Ctrl-C does, so the server is stopped on the way out.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, to test the script")
    parser.add_argument("--objects", type=int, help="objects of the pull (2,000)")
    parser.add_argument("--tick-objects", type=int, help="objects of the tick prefix (20,000)")
    parser.add_argument("--csv-mb", type=int, help="size of the CSV object in MiB (1,024)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--drop", action="store_true", help="delete var/bench's kept data")
    parser.add_argument("--csv-child", metavar="PREFIX", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _quiet_logs()
    if args.csv_child:
        _child_main(args.csv_child, args.rows)
        return 0
    if args.drop:
        shutil.rmtree(SEAWEED_DIR, ignore_errors=True)
        shutil.rmtree(AWSCLI_VENV, ignore_errors=True)
        return 0
    objects = args.objects or (200 if args.quick else 2_000)
    tick_objects = args.tick_objects or (2_000 if args.quick else 20_000)
    csv_bytes = (args.csv_mb or (64 if args.quick else 1024)) * MIB
    signal.signal(signal.SIGTERM, _terminate)
    (BENCH / "tmp").mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "when": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "seaweedfs": _weed_version(),
        "quick": args.quick,
        "repeat": args.repeat,
    }
    with _server() as s3:
        _say(f"SeaweedFS at {s3.endpoint} (data in {SEAWEED_DIR.relative_to(ROOT)})")
        result["pull"] = bench_pull(s3, objects, args.repeat)
        result["tick"] = bench_tick(s3, tick_objects, args.repeat)
        result["csv"] = bench_csv(s3, csv_bytes)
    result["ratio"] = result["pull"]["ours_s"] / result["pull"]["awscli_s"]
    result["median_tick_s"] = statistics.median(result["tick"]["ticks"])
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
