"""The ``ingestion-agent`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import structlog
from aiohttp import web
from pydantic import ValidationError

from api.app import create_app
from api.demo import DemoOptions, add_demo_arguments, run_demo
from api.heap import freeze_startup_heap
from api.logs import configure_logging
from api.settings import Settings
from api.terminal import ChatOptions, add_chat_arguments, run_chat
from api.vault_commands import add_vault_arguments, run_vault
from api.worker import run_worker
from connections.audit import verify_command

__all__ = ["main"]


def _parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ingestion-agent", description="Connect data sources and sinks by chatting."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=settings.host, help=f"default {settings.host}")
    serve.add_argument("--port", type=int, default=settings.port, help=f"default {settings.port}")
    commands.add_parser("worker", help="run pulls, jobs and pushes from the Redis queue")
    add_vault_arguments(commands.add_parser("vault", help="manage the vault's master keys"))
    audit = commands.add_parser("audit", help="check the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser("verify", help="detect edited or removed audit events")
    add_chat_arguments(commands.add_parser("chat", help="chat with the service here"), settings)
    add_demo_arguments(commands.add_parser("demo", help="try it with a local S3"), settings)
    return parser


async def _freeze_heap(_app: web.Application) -> None:
    freeze_startup_heap()


def _serve(settings: Settings, host: str, port: int) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log = structlog.get_logger("api")
    log.info("service_starting", host=host, port=port, data_dir=str(settings.data_dir))
    app = create_app(settings)
    # After the cleanup contexts' start-up (aiohttp runs those first): the heap is built.
    app.on_startup.append(_freeze_heap)
    web.run_app(app, host=host, port=port, print=None, access_log=None)
    return 0


def _try_it(args: argparse.Namespace) -> int:
    """``chat`` talks to a running service; ``demo`` runs one with a local S3 to try it on."""
    if args.command == "chat":
        return run_chat(ChatOptions.from_args(args))
    if args.command == "demo":
        return run_demo(DemoOptions.from_args(args))
    return 2  # pragma: no cover - argparse rejects unknown commands first


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    try:
        settings = Settings()
    except ValidationError as exc:
        errors = "; ".join(
            f"INGESTION_AGENT_{str(e['loc'][0]).upper()}: {e['msg']}"
            for e in exc.errors(include_input=False)
        )
        sys.stderr.write(f"ingestion-agent: invalid configuration: {errors}\n")
        return 2
    args = _parser(settings).parse_args(argv)
    configure_logging(settings.log_level, settings.log_format)
    settings.register_secrets()
    if args.command == "serve":
        return _serve(settings, args.host, args.port)
    if args.command == "worker":
        return run_worker(settings)
    if args.command == "vault":
        return run_vault(settings, args)
    if args.command == "audit":
        # No migration: a verify only reads, and must not change the database it checks.
        return verify_command(settings.effective_database_url)
    return _try_it(args)


if __name__ == "__main__":
    sys.exit(main())
