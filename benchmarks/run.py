"""Run every benchmark, print a table and write it into docs/performance.md.

    python -m benchmarks.run                      # or: make bench
    python -m benchmarks.run --quick              # shorter runs, 10,000 sessions (a smoke run)
    python -m benchmarks.run --suite discovery    # one suite: chat, discovery, sync

Each benchmark compares against a floor measured in the same run: the session store against the
same JSON bytes in a dict (and live pydantic objects), a chat turn against ``GET /healthz``
(a trivial JSON route through the same server process, middleware and logging).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
MB = 1_000_000


def _py(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return [line for line in out.splitlines() if line.startswith("{")][-1]


def _load(
    users: int, think: float, seconds: float, *, echo: bool = False, redis: str | None = None
) -> dict[str, Any]:
    args = [
        "benchmarks.chat_load",
        "--users",
        str(users),
        "--think",
        str(think),
        "--seconds",
        str(seconds),
    ]
    if echo:
        args.append("--echo")
    if redis:
        args += ["--redis-url", redis]
    result: dict[str, Any] = json.loads(_py(*args))
    print(
        f"  {result.get('route')} users={users} think={think}: "
        f"{result.get('turns_per_s', 0):.0f}/s "
        f"p50 {result.get('p50_ms', 0):.1f} ms p99 {result.get('p99_ms', 0):.1f} ms "
        f"errors {result.get('errors')}",
        flush=True,
    )
    return result


def _redis_url() -> str | None:
    """The Redis URL if the Redis store exists, is wired into the app and answers; else None."""
    if not (ROOT / "sessions" / "redis_store.py").exists():
        return None
    if "RedisStore" not in (ROOT / "api" / "app.py").read_text():
        return None
    url = os.environ.get("INGESTION_AGENT_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis  # noqa: PLC0415

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/performance.md")
    parser.add_argument(
        "--suite", choices=("all", *SUITES), default="all", help="run only one suite"
    )
    args = parser.parse_args(argv)
    for name, run in SUITES.items():
        if args.suite in ("all", name):
            run(args)
    return 0


def _discovery(args: argparse.Namespace) -> None:
    """Discovery of 10,000 PostgreSQL and 5,000 MariaDB tables (issue 5)."""
    from benchmarks import discovery  # noqa: PLC0415 - imports the database drivers

    extra = ["--tables", "1000", "--mysql-tables", "500"] if args.quick else []
    print("discovery: wide databases (tables are created on the first run)", flush=True)
    result = json.loads(_py("benchmarks.discovery", *extra))
    table = discovery.render(result)
    print()
    print(table)
    if not args.no_doc:
        write_section("discovery", table)


def _sync(args: argparse.Namespace) -> None:
    """Pull, tick and a 1 GiB CSV against awscli and boto3 on SeaweedFS (issue 6)."""
    from benchmarks import sync  # noqa: PLC0415 - imports boto3 and the sync engine

    print("sync: SeaweedFS buckets are filled and awscli installed on the first run", flush=True)
    result = json.loads(_py("benchmarks.sync", *(["--quick"] if args.quick else [])))
    table = sync.render(result)
    print()
    print(table)
    if not args.no_doc:
        write_section("sync", table)


def _chat(args: argparse.Namespace) -> None:
    """Session memory, chat load and the turn profile (issue 8)."""
    n_sessions = 10_000 if args.quick else 100_000
    seconds = 5.0 if args.quick else 15.0
    users_list = (50, 200) if args.quick else (50, 200, 1000)

    print(f"memory: {n_sessions:,} idle sessions", flush=True)
    memory = {
        v: json.loads(_py("benchmarks.sessions_memory", "--variant", v, "--n", str(n_sessions)))
        for v in ("json", "store", "live")
    }

    stores: dict[str, str | None] = {"memory": None}
    redis_url = _redis_url()
    if redis_url:
        stores["redis"] = redis_url
    load: dict[str, dict[str, Any]] = {}
    print("load: echo floor", flush=True)
    load["echo-1"] = _load(1, 0, seconds / 2, echo=True)
    load["echo-max"] = _load(50, 0, seconds, echo=True)
    for name, url in stores.items():
        print(f"load: {name} store", flush=True)
        load[f"{name}-1"] = _load(1, 0, seconds / 2, redis=url)
        load[f"{name}-max"] = _load(50, 0, seconds, redis=url)
        for users in users_list:
            load[f"{name}-{users}"] = _load(users, 1.0, seconds, redis=url)

    print("profile: 50 conversations in-process", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.txt"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.profile_turn",
                "--conversations",
                "50",
                "--out",
                str(out),
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        profile = out.read_text()

    table = render(memory, load, users_list, redis_url=redis_url, seconds=seconds, quick=args.quick)
    print()
    print(table)
    if not args.no_doc:
        write_doc(table, profile)
        print(f"\nwrote {DOC.relative_to(ROOT)}")


def _row(*cells: object) -> str:
    """One markdown table row."""
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _verdict(ok: bool) -> str:  # noqa: FBT001 - a yes/no rendered as a word
    return "met" if ok else "MISSED"


def _cpu_ms(r: dict[str, Any]) -> float:
    """CPU per turn: the server's, plus Redis's own when it served the run."""
    return float(r.get("server_cpu_ms_per_turn", 0.0) + r.get("redis_cpu_ms_per_turn", 0.0))


def _cpu_cell(r: dict[str, Any]) -> str:
    server = r.get("server_cpu_ms_per_turn")
    if server is None:
        return "—"
    redis = r.get("redis_cpu_ms_per_turn")
    return f"{server:.2f}" if redis is None else f"{server:.2f} + {redis:.2f}"


def _load_row(store: str, run: str, users: int, r: dict[str, Any], note: str) -> str:
    return _row(
        store,
        run,
        users,
        f"{r['turns_per_s']:.0f}",
        f"{r['p50_ms']:.2f}",
        f"{r['p99_ms']:.2f}",
        _cpu_cell(r),
        r["errors"],
        note,
    )


def _memory_lines(memory: dict[str, Any], quick: bool) -> list[str]:  # noqa: FBT001
    store, live, raw = memory["store"], memory["live"], memory["json"]
    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}{' (--quick)' if quick else ''}. "
        "Server pinned to CPU 0, load generator to CPU 1.",
        "",
        f"**Memory: {store['n']:,} idle sessions** (one session's JSON: "
        f"{store['json_bytes']:,} bytes; process RSS before filling: "
        f"{store['rss_before'] / MB:.0f} MB)",
        "",
        _row("kept as", "RSS delta", "bytes/session", "process RSS after", "target"),
        "|---|---:|---:|---:|---|",
    ]
    for label, m in (
        ("MemoryStore (JSON bytes + record)", store),
        ("floor: JSON bytes in a dict", raw),
        ("live pydantic Session objects", live),
    ):
        target = ""
        if m is store:
            target = (
                f"< 300 MB: {_verdict(m['delta'] < 300 * MB)} by the delta; "
                f"{_verdict(m['rss_after'] < 300 * MB)} by total RSS"
            )
        lines.append(
            _row(
                label,
                f"{m['delta'] / MB:.0f} MB",
                f"{m['per_session']:,.0f}",
                f"{m['rss_after'] / MB:.0f} MB",
                target,
            )
        )
    lines.append(
        f"\nMemoryStore / JSON floor: {store['delta'] / raw['delta']:.2f}x; "
        f"live objects / MemoryStore: {live['delta'] / store['delta']:.1f}x."
    )
    return lines


def _load_lines(load: dict[str, Any], users_list: tuple[int, ...], seconds: float) -> list[str]:
    echo1, echomax = load["echo-1"], load["echo-max"]
    lines = [
        "",
        f"**Chat load** (runs of {seconds:.0f} s; a turn is a start or chat POST; "
        "latency runs have 1 s think time per user; max runs have 50 users and none; "
        "CPU ms/turn is the server process's CPU time per turn over the run, plus the Redis "
        "server's for the Redis store)",
        "",
        _row(
            "store",
            "run",
            "users",
            "turns/s",
            "p50 ms",
            "p99 ms",
            "CPU ms/turn",
            "errors",
            "vs echo floor",
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
        _load_row("—", "echo floor `GET /healthz`, unloaded", 1, echo1, "1x"),
        _load_row("—", "echo floor `GET /healthz`, max", 50, echomax, "1x"),
    ]
    for name in ("memory", "redis"):
        if f"{name}-1" not in load:
            lines.append(_row(name, "not available (no Redis server)", *[""] * 7))
            continue
        limit = 3 if name == "memory" else 5
        one, mx = load[f"{name}-1"], load[f"{name}-max"]
        r1 = one["p50_ms"] / echo1["p50_ms"]
        rmax = echomax["turns_per_s"] / mx["turns_per_s"]
        rcpu = _cpu_ms(mx) / _cpu_ms(echomax)
        lines.append(
            _load_row(
                name, "unloaded", 1, one, f"p50 {r1:.1f}x (≤ {limit}x: {_verdict(r1 <= limit)})"
            )
        )
        lines.append(
            _load_row(
                name,
                "max throughput",
                50,
                mx,
                f"cost {rmax:.1f}x by throughput (echo/s ÷ turns/s), {rcpu:.1f}x by CPU "
                f"(per turn ÷ per echo); ≤ {limit}x: {_verdict(max(rmax, rcpu) <= limit)}",
            )
        )
        for users in users_list:
            r = load[f"{name}-{users}"]
            note = f"p99 < 50 ms: {_verdict(r['p99_ms'] < 50)}" if users == 200 else ""
            lines.append(_load_row(name, "think 1 s", users, r, note))
    return lines


def render(
    memory: dict[str, Any],
    load: dict[str, Any],
    users_list: tuple[int, ...],
    *,
    redis_url: str | None,
    seconds: float,
    quick: bool,
) -> str:
    """The results as markdown."""
    lines = _memory_lines(memory, quick) + _load_lines(load, users_list, seconds)
    if not redis_url:
        lines.append("\nRedis store: no Redis server when this ran, so no Redis rows.")
    return "\n".join(lines)


def write_doc(table: str, profile: str) -> None:
    block = (
        f"{START}\n{table}\n\n<details><summary>pyinstrument profile of the turn path"
        f"</summary>\n\n```text\n{profile.strip()}\n```\n\n</details>\n{END}"
    )
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n## Results\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n## Results\n\n{START}\n{END}\n"
    text = re.sub(
        re.escape(START) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.DOTALL
    )
    DOC.write_text(text)


def write_section(name: str, table: str) -> None:
    """Replace the ``<!-- {name}:start -->`` block of docs/performance.md with ``table``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = DOC.read_text()
    if start not in text:
        text += f"\n## {name.title()} results\n\n{start}\n{end}\n"
    text = re.sub(
        re.escape(start) + ".*?" + re.escape(end),
        lambda _m: f"{start}\n{table}\n{end}",
        text,
        flags=re.DOTALL,
    )
    DOC.write_text(text)
    print(f"\nwrote {DOC.relative_to(ROOT)} ({name})")


SUITES = {"chat": _chat, "discovery": _discovery, "sync": _sync}

if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
