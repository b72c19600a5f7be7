"""Chat throughput and latency against a real ``ingestion-agent serve`` process.

The server runs as its own process pinned to CPU 0 (temp data dir, free loopback port); this
process is the load generator, pinned to CPU 1, with one aiohttp client session. Simulated users
repeat whole conversations that touch no external system:

    start, "amazon s3", "bucket acme-data, region eu-west-1", "help", "back", "status",
    "amazon s3", "cancel", then DELETE the session (not counted).

A "turn" is one start or chat POST. Latency runs wait ``think`` seconds between turns; the
throughput run has no think time. The floor is ``GET /healthz`` (a trivial JSON route through the
same app, middleware and logging) driven the same way.

Besides wall-clock throughput, each run reports the CPU time the server process (and, with
``--redis-url``, the Redis server) spent per turn over the measured window, read from
``/proc/<pid>/stat`` and Redis ``INFO cpu``: a cost that does not depend on how busy the load
generator or the rest of the machine is. The DELETE that ends each conversation is included.

    python -m benchmarks.chat_load --users 200 --think 1 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import redis

BASE = "/api/v1/agents/ingestion/sessions"
CONVERSATION = (
    "amazon s3",
    "bucket acme-data, region eu-west-1",
    "help",
    "back",
    "status",
    "amazon s3",
    "cancel",
)
ROOT = Path(__file__).resolve().parent.parent
TENANTS = 7  # users are spread over this many tenants


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pin(cpu: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        if (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {cpu})


@dataclass(frozen=True)
class Server:
    """A running ``serve`` process."""

    url: str
    pid: int


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are the 14th and 15th fields of stat(5); index 0 here is the 3rd.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_cpu(url: str) -> float:
    """CPU seconds the Redis server has used so far (``INFO cpu``)."""
    client = redis.Redis.from_url(url)
    try:
        info: dict[str, Any] = client.info("cpu")  # type: ignore[assignment] # sync client
    finally:
        client.close()
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


@contextlib.contextmanager
def server(redis_url: str | None = None) -> Iterator[Server]:
    """``ingestion-agent serve`` on a free port."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = dict(os.environ)
        env.update(
            INGESTION_AGENT_DATA_DIR=data_dir,
            INGESTION_AGENT_MAX_SESSIONS="200000",
        )
        if redis_url:
            env["INGESTION_AGENT_REDIS_URL"] = redis_url
        else:
            env.pop("INGESTION_AGENT_REDIS_URL", None)
        log = Path(data_dir) / "serve.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "ingestion-agent"),
                    "serve",
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=lambda: _pin(0),  # noqa: PLW1509 - no threads yet
            )
        try:
            url = f"http://127.0.0.1:{port}"
            asyncio.run(_wait_up(url, proc))
            yield Server(url, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(150):
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited with {proc.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/healthz") as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError("serve did not come up")


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    conversations: int = 0


async def _user(  # noqa: PLR0917 - the simulated user's whole situation
    http: aiohttp.ClientSession, url: str, n: int, think: float, stop: float, stats: Stats
) -> None:
    headers = {
        "X-Tenant-Id": f"tenant-{n % TENANTS}",
        "X-User-ID": f"user-{n}",
        "X-User-Roles": "ROLE_DATA_ENGINEER",
    }
    loop = asyncio.get_running_loop()

    async def turn(method: str, path: str, body: Any) -> dict[str, Any] | None:
        started = time.perf_counter()
        async with http.request(method, f"{url}{path}", json=body, headers=headers) as r:
            payload = await r.json() if r.status in (200, 201) else None
            ok = r.status in (200, 201)
        if ok:
            stats.latencies.append(time.perf_counter() - started)
        else:
            stats.errors += 1
        return payload

    while loop.time() < stop:
        reply = await turn("POST", BASE, {})
        if reply is None:
            await asyncio.sleep(think or 0.01)
            continue
        sid = reply["session_id"]
        for message in CONVERSATION:
            if loop.time() >= stop:
                break
            if think:
                await asyncio.sleep(think)
            await turn("POST", f"{BASE}/{sid}/chat", {"message": message})
        else:
            stats.conversations += 1
        async with http.delete(f"{url}{BASE}/{sid}", headers=headers) as r:
            await r.read()
        if think:
            await asyncio.sleep(think)


async def _echo_user(
    http: aiohttp.ClientSession, url: str, think: float, stop: float, stats: Stats
) -> None:
    loop = asyncio.get_running_loop()
    while loop.time() < stop:
        started = time.perf_counter()
        async with http.get(f"{url}/healthz") as r:
            await r.json()
            ok = r.status == 200
        if ok:
            stats.latencies.append(time.perf_counter() - started)
        else:
            stats.errors += 1
        if think:
            await asyncio.sleep(think)


async def drive(
    url: str,
    users: int,
    think: float,
    seconds: float,
    *,
    echo: bool,
    cpu: Callable[[], dict[str, float]] = dict,
) -> dict[str, Any]:
    """Run ``users`` simulated users for ``seconds``; turns/s, latency percentiles and CPU.

    ``cpu`` reads cumulative CPU seconds by name; it is read after the warm-up and at the end,
    and each name's difference is reported per turn in milliseconds.
    """
    stats = Stats()
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        loop = asyncio.get_running_loop()
        # Warm up: a whole conversation per tenant (first-use caches, imports, each tenant's
        # default agent), not counted.
        warm = Stats()
        await asyncio.gather(
            *(_user(http, url, -1 - i, 0, loop.time() + 1.0, warm) for i in range(TENANTS))
        )
        # Arrivals spread over the first think period so users don't move in lockstep.
        ramp = think or 0.0
        cpu_before = cpu()
        start = loop.time()
        stop = start + seconds

        async def launch(n: int) -> None:
            await asyncio.sleep(random.uniform(0, ramp))
            if echo:
                await _echo_user(http, url, think, stop, stats)
            else:
                await _user(http, url, n, think, stop, stats)

        await asyncio.gather(*(launch(n) for n in range(users)))
        elapsed = loop.time() - start
        cpu_after = cpu()
    lat = sorted(stats.latencies)
    if not lat:
        return {"turns": 0, "errors": stats.errors}
    cpu_ms = {
        f"{name}_cpu_ms_per_turn": (cpu_after[name] - cpu_before[name]) * 1000 / len(lat)
        for name in cpu_after
    }
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0]] * 99
    return {
        "route": "echo" if echo else "turn",
        "users": users,
        "think": think,
        "seconds": round(elapsed, 1),
        "turns": len(lat),
        "errors": stats.errors,
        "conversations": stats.conversations,
        "turns_per_s": len(lat) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": lat[-1] * 1000,
        **cpu_ms,
    }


def run(
    users: int, think: float, seconds: float, *, echo: bool = False, redis_url: str | None = None
) -> dict[str, Any]:
    """One run against a fresh server."""
    _pin(1)
    with server(redis_url) as serve:

        def cpu() -> dict[str, float]:
            used = {"server": process_cpu(serve.pid)}
            if redis_url:
                used["redis"] = redis_cpu(redis_url)
            return used

        return asyncio.run(drive(serve.url, users, think, seconds, echo=echo, cpu=cpu))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--echo", action="store_true", help="drive GET /healthz instead")
    parser.add_argument("--redis-url")
    args = parser.parse_args(argv)
    result = run(args.users, args.think, args.seconds, echo=args.echo, redis_url=args.redis_url)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
