"""Memory of N idle sessions in one process: the MemoryStore against two floors.

Each variant runs in a fresh interpreter (``--variant``) so RSS deltas do not bleed into each
other. The session is a real one: a conversation driven through the app in-process (welcome,
"amazon s3", "bucket acme-data, region eu-west-1", "help"), then copied N times with a new id,
user and bucket each.

Variants:
    store:  ``sessions.MemoryStore`` as ``serve`` configures it (``api.app.memory_store``),
            via ``create``.
    live:   the same sessions as live pydantic ``Session`` objects in a dict (the old way).
    json:   the same JSON bytes in a dict keyed by id, nothing else (the floor).

    python -m benchmarks.sessions_memory --variant store --n 100000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import pathlib
import sys
import tempfile
import time
from typing import Any

BASE = "/api/v1/agents/ingestion/sessions"
WHO = {
    "X-Tenant-Id": "tenant-template",
    "X-User-ID": "user-template",
    "X-User-Roles": "ROLE_DATA_ENGINEER",
}
TURNS = ("amazon s3", "bucket acme-data, region eu-west-1", "help")


def rss_bytes() -> int:
    """VmRSS of this process."""
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def template_session() -> bytes:
    """A realistic session's JSON, produced by the real engine."""
    import structlog  # noqa: PLC0415
    from aiohttp.test_utils import TestClient, TestServer  # noqa: PLC0415

    from api.app import create_app  # noqa: PLC0415
    from api.routes.sessions import ENGINE_KEY  # noqa: PLC0415
    from api.settings import Settings  # noqa: PLC0415

    structlog.configure(logger_factory=structlog.ReturnLoggerFactory())  # quiet
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=pathlib.Path(data_dir)))
        client: TestClient[Any, Any] = TestClient(TestServer(app))
        await client.start_server()
        try:
            response = await client.post(BASE, json={}, headers=WHO)
            sid = (await response.json())["session_id"]
            for message in TURNS:
                await client.post(f"{BASE}/{sid}/chat", json={"message": message}, headers=WHO)
            session = await app[ENGINE_KEY]._store.get(sid)
            if session is None:
                raise RuntimeError("the template session vanished")
            return session.to_json()
        finally:
            await client.close()


def variants_of(template: bytes, n: int) -> Any:
    """N copies of the template, each with its own id, user and bucket (as JSON bytes)."""
    from core.ids import new_id  # noqa: PLC0415

    data = json.loads(template)
    old_id = data["id"]
    text = template.decode()
    for i in range(n):
        sid = new_id("ses")
        yield (
            sid,
            (
                text.replace(old_id, sid)
                .replace("user-template", f"user-{i:06d}")
                .replace("tenant-template", f"tenant-{i % 97:02d}")
                .replace("acme-data", f"acme-data-{i:06d}")
                .encode()
            ),
        )


async def measure(variant: str, n: int) -> dict[str, Any]:
    from api.app import memory_store  # noqa: PLC0415
    from api.settings import Settings  # noqa: PLC0415
    from sessions import Session  # noqa: PLC0415

    template = await template_session()
    # As ``serve`` configures it, with room for n.
    settings = Settings(max_sessions=n + 10)
    # Warm every code path once so imports and caches are in the baseline.
    store = memory_store(settings)
    for _sid, raw in variants_of(template, 2):
        await store.create(Session.from_json(raw))
    await store.aclose()
    holder: Any
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    if variant == "store":
        holder = memory_store(settings)
        for _sid, raw in variants_of(template, n):
            await holder.create(Session.from_json(raw))
    elif variant == "live":
        holder = {sid: Session.from_json(raw) for sid, raw in variants_of(template, n)}
    elif variant == "json":
        holder = dict(variants_of(template, n))
    else:
        raise SystemExit(f"unknown variant {variant}")
    elapsed = time.perf_counter() - started
    gc.collect()
    after = rss_bytes()
    return {
        "variant": variant,
        "n": n,
        "rss_before": before,
        "rss_after": after,
        "delta": after - before,
        "per_session": (after - before) / n,
        "json_bytes": len(template),
        "build_seconds": elapsed,
        "template": json.loads(template),
        "kept": len(holder._records) if variant == "store" else len(holder),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", choices=("store", "live", "json"), required=True)
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.variant, args.n))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
