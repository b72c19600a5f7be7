"""``python -m tests.agent.corpus``: replay the whole corpus and print completion by category.

It starts what the tests start (SeaweedFS, an HTTPS server, fresh PostgreSQL and MariaDB
databases, the app in process) and prints one row per category: conversations, completed,
turns played, turns over the minimal number, and replies that echoed a secret. ``-v`` also
lists each failed conversation and where it went wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from api.app import create_app
from api.logs import configure_logging
from api.settings import Settings
from connectors.base import ConnectorContext
from tests.agent.corpus.replay import Conversation, Outcome, load, replay
from tests.agent.corpus.world import open_world
from tests.conftest import LOOPBACK
from tests.support.https import make_tls
from tests.support.seaweedfs import run_seaweedfs


async def _run(conversations: list[Conversation], workdir: Path) -> list[Outcome]:
    tls = make_tls()
    context = ConnectorContext(network=LOOPBACK, ssl_context=tls.client_context, timeout=5.0)
    with run_seaweedfs(workdir / "seaweedfs") as seaweed:
        async with open_world(seaweed, tls) as world:
            app = create_app(Settings(data_dir=workdir / "data"), connector_context=context)
            client: TestClient[Any, Any] = TestClient(TestServer(app))
            await client.start_server()
            try:
                return [await replay(client, world, c) for c in conversations]
            finally:
                await client.close()


def _table(conversations: list[Conversation], outcomes: list[Outcome]) -> str:
    rows: dict[str, list[tuple[Conversation, Outcome]]] = defaultdict(list)
    for conversation, outcome in zip(conversations, outcomes, strict=True):
        rows[conversation.category].append((conversation, outcome))
    lines = [
        "| category | conversations | turns | completed | rate | turns / minimal "
        "| secrets echoed |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    everything = [pair for pairs in rows.values() for pair in pairs]
    for category, pairs in [*sorted(rows.items()), ("all", everything)]:
        done = [(c, o) for c, o in pairs if o.completed]
        turns = sum(len(c.turns) for c, _ in pairs)
        ratio = sum(len(c.turns) / c.minimal for c, _ in done) / len(done) if done else 0.0
        echoed = sum(1 for _, o in pairs if o.echoed)
        lines.append(
            f"| {category} | {len(pairs)} | {turns} | {len(done)} | "
            f"{100 * len(done) / len(pairs):.1f} % | {ratio:.2f} | {echoed} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Replay the corpus (or the categories named) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("categories", nargs="*", help="only these categories (file stems)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list each failure")
    args = parser.parse_args()
    # As `serve` does: redacted log lines, and tracebacks without their local variables.
    configure_logging("warning", "console")
    conversations = [c for c in load() if not args.categories or c.category in args.categories]
    with tempfile.TemporaryDirectory(prefix="corpus-") as workdir:
        outcomes = asyncio.run(_run(conversations, Path(workdir)))
    sys.stdout.write(_table(conversations, outcomes) + "\n")
    if args.verbose:
        for conversation, outcome in zip(conversations, outcomes, strict=True):
            if not outcome.completed:
                sys.stdout.write(f"\n✗ {conversation.id}\n  {outcome.failure}\n")


if __name__ == "__main__":
    main()
