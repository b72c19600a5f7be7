"""Profile the turn path in-process with pyinstrument.

The app runs in this process behind aiohttp's test server (real HTTP over loopback, the same
middleware, routing, auth and logging as ``serve``); ``users`` conversations are driven
sequentially and only that part is profiled. Client-side aiohttp frames are in the tree too, so
read the server-side branches (``_handle``/``handler``).

    python -m benchmarks.profile_turn --conversations 50 [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import sys
import tempfile
from typing import Any

from pyinstrument import Profiler

from api.heap import freeze_startup_heap
from benchmarks.chat_load import BASE, CONVERSATION


async def _drive(conversations: int, profiler: Profiler, redis_url: str | None) -> int:
    from aiohttp.test_utils import TestClient, TestServer  # noqa: PLC0415

    from api.app import create_app  # noqa: PLC0415
    from api.settings import Settings  # noqa: PLC0415

    turns = 0
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=pathlib.Path(data_dir))
        if redis_url is not None:
            settings = Settings(data_dir=pathlib.Path(data_dir), redis_url=redis_url)
        app = create_app(settings)
        client: TestClient[Any, Any] = TestClient(TestServer(app))
        await client.start_server()
        try:
            for n in range(conversations + 2):
                if n == 2:
                    # As ``serve`` does after start-up; the first two conversations
                    # warm caches.
                    freeze_startup_heap()
                    profiler.start()
                who = {
                    "X-Tenant-Id": "t",
                    "X-User-ID": f"u{n}",
                    "X-User-Roles": "ROLE_DATA_ENGINEER",
                }
                r = await client.post(BASE, json={}, headers=who)
                sid = (await r.json())["session_id"]
                for message in CONVERSATION:
                    r = await client.post(
                        f"{BASE}/{sid}/chat", json={"message": message}, headers=who
                    )
                    await r.read()
                turns += 1 + len(CONVERSATION) if n >= 2 else 0
            profiler.stop()
        finally:
            await client.close()
    return turns


def profile(conversations: int = 50, redis_url: str | None = None) -> tuple[int, str]:
    """Turns profiled and pyinstrument's text report (Redis store when ``redis_url``)."""
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    turns = asyncio.run(_drive(conversations, profiler, redis_url))
    text = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
    return turns, text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--redis-url", help="profile with the Redis session store")
    parser.add_argument("--out", type=pathlib.Path, help="write the report here (stdout has logs)")
    args = parser.parse_args(argv)
    turns, text = profile(args.conversations, args.redis_url)
    report = f"{turns} turns profiled\n{text}"
    if args.out:
        args.out.write_text(report)
    else:
        sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
