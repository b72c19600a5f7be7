"""``ingestion-agent vault``: generate, list, rotate and retire the vault's master keys.

Every line these commands print names keys by id and by where they are configured, never
by value, except ``keygen``, whose one job is to print a new key on standard output. Each
command says what a running ``serve`` or ``worker`` needs afterwards: with a key file,
nothing (they follow the file); with ``INGESTION_AGENT_VAULT_KEY``, a restart, since no
process can see a change to another's environment. ``docs/vault.md`` is the runbook.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from api.settings import Settings
from connections.db.engine import create_engine, migrate, session_factory
from connections.vault import (
    ENV_VAR,
    Keyring,
    KeyStatus,
    RetireReport,
    RotationReport,
    Vault,
    VaultError,
    encode_key,
    generate_key,
    key_id,
    key_statuses,
    key_usage,
    retire,
    rotate,
)
from core.redaction import redact_text

__all__ = ["add_vault_arguments", "run_vault"]

_RESTART_ENV = (
    f"restart every `serve` and `worker` still running with an older {ENV_VAR}: "
    "it does not follow a change to the variable"
)


def add_vault_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``vault`` subcommands to ``parser``."""
    commands = parser.add_subparsers(dest="vault_command", required=True)
    commands.add_parser("keygen", help="print a new master key (and its id on stderr)")
    commands.add_parser("keys", help="list the key ids, where each is set, and its use")
    commands.add_parser("rotate", help="re-encrypt every secret under a new key")
    retire_parser = commands.add_parser("retire", help="remove a key no secret uses")
    retire_parser.add_argument("key_id", metavar="ID", help="the key id, from `vault keys`")


def run_vault(settings: Settings, args: argparse.Namespace) -> int:
    """Run ``ingestion-agent vault <command>``.

    Returns:
        0 on success; 1 when the vault refuses (the reason is printed, naming key ids
        only); 2 when the database cannot be reached.
    """
    command: str = args.vault_command
    if command == "keygen":
        return _keygen()
    try:
        if command == "keys":
            return asyncio.run(_keys(settings))
        if command == "rotate":
            _print_rotation(asyncio.run(_rotate(settings)))
        else:
            _print_retirement(asyncio.run(_retire(settings, args.key_id)))
    except VaultError as exc:
        sys.stderr.write(f"ingestion-agent vault {command}: {exc.message}\n")
        return 1
    except (SQLAlchemyError, OSError) as exc:
        sys.stderr.write(f"ingestion-agent vault {command}: {_short(exc)}\n")
        return 2
    return 0


def _keygen() -> int:
    key = generate_key()
    sys.stdout.write(f"{encode_key(key)}\n")
    # On stderr, so `KEY=$(ingestion-agent vault keygen)` captures the key alone.
    sys.stderr.write(f"vault key id {key_id(key)}\n")
    return 0


async def _keys(settings: Settings) -> int:
    keyring = Keyring.load(
        data_dir=settings.data_dir, env_value=settings.vault_key_text, create=False
    )
    usage = await _usage(settings.effective_database_url)
    statuses = key_statuses(keyring, usage or {})
    sys.stdout.write(_table(statuses, counted=usage is not None))
    return 0


async def _usage(database_url: str) -> dict[str, int] | None:
    """Secrets per key id; None when the database cannot be read."""
    parsed = make_url(database_url)
    sqlite_file = Path(parsed.database or "")
    if parsed.get_backend_name() == "sqlite" and not await asyncio.to_thread(sqlite_file.exists):
        return {}  # no database yet, so no secrets; connecting would create the file
    # Read only: no migration, so listing keys never changes the database.
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as db:
            return await key_usage(db)
    except SQLAlchemyError as exc:
        sys.stderr.write(f"secrets not counted, the database is not readable: {_short(exc)}\n")
        return None
    finally:
        await engine.dispose()


def _table(statuses: Sequence[KeyStatus], *, counted: bool) -> str:
    lines = [f"{'KEY ID':<16}  {'STATE':<8}  {'SECRETS':>7}  CONFIGURED IN"]
    for status in statuses:
        if status.location is None:
            state = "MISSING"
        elif status.active:
            state = "active"
        else:
            state = "retained" if status.secrets or not counted else "unused"
        secrets = str(status.secrets) if counted else "?"
        where = status.location or "nowhere: restore this key to read its secrets"
        lines.append(f"{status.key_id:<16}  {state:<8}  {secrets:>7}  {where}")
    return "".join(f"{line}\n" for line in lines)


async def _rotate(settings: Settings) -> RotationReport:
    vault = await _open_vault(settings)
    engine = create_engine(settings.effective_database_url)
    try:
        async with session_factory(engine)() as db:
            return await rotate(vault, db, actor=_actor())
    finally:
        await engine.dispose()


async def _retire(settings: Settings, retired: str) -> RetireReport:
    vault = await _open_vault(settings)
    engine = create_engine(settings.effective_database_url)
    try:
        async with session_factory(engine)() as db:
            return await retire(vault, db, retired, actor=_actor())
    finally:
        await engine.dispose()


async def _open_vault(settings: Settings) -> Vault:
    # Both commands write (secrets, audit events), so the schema must be current.
    await asyncio.to_thread(migrate, settings.effective_database_url)
    keyring = await asyncio.to_thread(
        Keyring.load, data_dir=settings.data_dir, env_value=settings.vault_key_text
    )
    return Vault(keyring)


def _print_rotation(report: RotationReport) -> None:
    out = [
        f"re-encrypted {report.reencrypted} secret(s) under vault key {report.active_key_id} "
        f"({report.active_location})"
    ]
    if report.key_file is not None:
        out.append(
            f"running `serve` and `worker` processes that read {report.key_file} use the new "
            "key without a restart; on other machines, copy this file over theirs"
        )
    else:
        out.append(_RESTART_ENV)
    if report.unused_key_ids:
        unused = ", ".join(report.unused_key_ids)
        out.append(
            f"no secret uses {unused} any more; they stay configured until you run "
            "`ingestion-agent vault retire ID` (keep a copy while a database backup needs them)"
        )
    sys.stdout.write("".join(f"{line}\n" for line in out))


def _print_retirement(report: RetireReport) -> None:
    if report.key_file is not None:
        out = [
            f"retired vault key {report.key_id}: removed from {report.key_file}",
            "running `serve` and `worker` processes that read it follow without a restart",
        ]
    else:
        out = [
            f"vault key {report.key_id} is no longer used: remove it from {ENV_VAR} "
            f"({report.location}) wherever the variable is set",
            "then restart every `serve` and `worker`, so that none holds it in memory",
        ]
    sys.stdout.write("".join(f"{line}\n" for line in out))


def _actor() -> str:
    """Who runs the command, for the audit event: the operating-system user."""
    try:
        return f"operator:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in a minimal container
        return "operator"


def _short(exc: BaseException) -> str:
    # One line, not a traceback: a driver's message can carry the connection string.
    return redact_text((str(exc).splitlines() or [type(exc).__name__])[0])
