"""What 10,000 ended conversations leave in the redaction registry, and what a log line costs.

Each conversation runs through the real conversation engine and connection service in this
process (memory session store, SQLite, the vault): it picks S3, gives a bucket, region,
endpoint and key id, types a secret access key of its own at the secret prompt (the engine
registers it and stages it in the vault; the connection test fails at the guard, quickly),
and ends (the session is deleted). The per-line cost of redacting a log line is measured
after the first conversation and after the last, in the same run; so is the registry's size.
For contrast, a registry that kept every secret for the process's life (as before owners) is
built with the same number of values.

    python -m benchmarks.redaction [--conversations 10000] [--seconds 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import tempfile
import time
from typing import Any

from api.logs import configure_logging
from core.redaction import PROCESS, SecretRegistry, register_secret, registry

LINE = (
    '{"event": "chat_turn", "level": "info", "request_id": "req_01J0ABCDEF", "tenant_id": '
    '"acme", "session_id": "ses_01J0ABCDEFGHJKMNPQRSTVWXYZ", "state": "gather_credentials", '
    '"duration_ms": 4.2, "message": "bucket acme-data, region eu-west-1, key id AKIA0000"}'
)


# A tmpfs where there is one: the database's fsyncs are not what is measured.
_SHM = pathlib.Path("/dev/shm")  # noqa: S108 - scratch space of our own, deleted after
_SCRATCH = str(_SHM) if _SHM.is_dir() else None
CONFIGURATION = (
    "postgresql://ingest:Db-Passw0rd-Config@db.internal:5432/ingest",
    "Db-Passw0rd-Config",
    "vault-key-1:6c1b0c2f9d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f",
    "xoxb-0000000000-0000000000000-ConfigSlackBotToken",
    "slack-signing-secret-config-0001",
)


def secret_of(n: int) -> str:
    """The secret conversation ``n`` types (unique, secret-looking)."""
    return f"wJalrXUtnFEMI/K7MDENG/bPxRfiCY{n:08d}"


def per_line_us(redactor: SecretRegistry, seconds: float) -> float:
    """Microseconds to redact one log line: the best of three runs of about ``seconds``."""
    best = float("inf")
    for _ in range(3):
        lines, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            for _ in range(10):
                redactor.redact(LINE)
            lines += 10
        best = min(best, elapsed / lines * 1e6)
    return best


async def _converse(engine: Any, who: Any, n: int) -> bool:
    """One conversation that types a secret and ends; whether the secret was registered."""
    reply = await engine.start(who)
    sid = reply.session_id
    await engine.chat(who, sid, message="amazon s3")
    await engine.chat(
        who,
        sid,
        message=(
            "bucket acme-data, region eu-west-1, endpoint https://127.0.0.1:9, "
            "access key id AKIABENCHMARK0001"
        ),
    )
    await engine.chat(who, sid, message=secret_of(n))
    held = secret_of(n) in registry
    await engine.tasks.wait(sid, seconds=10)
    await engine.delete(who, sid)
    return held


async def _run(conversations: int, seconds: float) -> list[tuple[str, int, int, float]]:
    from agent.engine import ConversationEngine  # noqa: PLC0415
    from connections.client import InProcessClient  # noqa: PLC0415
    from connections.identity import Identity, RoleMap  # noqa: PLC0415
    from connections.runtime import open_runtime  # noqa: PLC0415
    from connectors.base import ConnectorContext  # noqa: PLC0415
    from sessions import MemoryStore  # noqa: PLC0415

    roles = ("ROLE_DATA_ENGINEER",)
    who = Identity(
        tenant_id="bench",
        user_id="u",
        roles=roles,
        permissions=RoleMap.default().permissions(roles),
    )
    rows: list[tuple[str, int, int, float]] = []

    def row(label: str, redactor: SecretRegistry) -> None:
        values = len(redactor)
        owners = len(set(redactor.owners()) - {PROCESS})
        rows.append((label, values, owners, per_line_us(redactor, seconds)))

    with tempfile.TemporaryDirectory(dir=_SCRATCH) as data_dir:
        runtime = await open_runtime(
            database_url=f"sqlite:///{data_dir}/bench.db",
            data_dir=pathlib.Path(data_dir),
            vault_key=None,
            connector_context=ConnectorContext(),
        )
        engine = ConversationEngine(
            store=MemoryStore(), client_for=lambda who: InProcessClient(runtime.service, who)
        )
        # As ``serve`` does: configuration secrets, registered for the process's life.
        for value in CONFIGURATION:
            register_secret(value, owner=PROCESS)
        try:
            row("configuration secrets only", registry)
            held = await _converse(engine, who, 0)
            row("after 1 ended conversation", registry)
            started = time.perf_counter()
            for n in range(1, conversations):
                held = await _converse(engine, who, n) and held
            elapsed = time.perf_counter() - started
            row(f"after {conversations:,} ended conversations", registry)
            typed_gone = sum(secret_of(n) in registry for n in range(conversations))
        finally:
            await engine.aclose()
            await runtime.close()
    print(
        f"{conversations:,} conversations in {elapsed:.0f} s; each secret registered while its "
        f"conversation ran: {held}; typed secrets still registered: {typed_gone}"
    )
    # Before owners every one of them stayed: the same number of values, process-wide.
    kept = SecretRegistry()
    typed = {secret_of(n): 1 for n in range(conversations - 1)}
    kept.restore({PROCESS: {**dict.fromkeys(CONFIGURATION, 1), **typed}})
    started = time.perf_counter()
    kept.register(secret_of(conversations - 1))  # one more typed secret recompiles them all
    register_ms = (time.perf_counter() - started) * 1e3
    row(f"without owners: {conversations:,} kept for good", kept)
    print(f"without owners, registering one more secret took {register_ms:.0f} ms (recompile)")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument(
        "--seconds", type=float, default=0.5, help="time per run of a per-line measurement"
    )
    args = parser.parse_args(argv)
    configure_logging("error")  # the engine's own log lines are not what is measured
    rows = asyncio.run(_run(args.conversations, args.seconds))
    print()
    print(f"| {'registry':<48} | {'values':>6} | {'owners':>6} | {'µs per log line':>15} |")
    print(f"|{'-' * 50}|{'-' * 8}|{'-' * 8}|{'-' * 17}|")
    for label, values, owners, cost in rows:
        print(f"| {label:<48} | {values:>6,} | {owners:>6,} | {cost:>15.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
