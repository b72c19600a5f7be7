"""The ``ingestion-agent`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import structlog
from aiohttp import web
from pydantic import ValidationError

from api.app import create_app
from api.logs import configure_logging
from api.settings import Settings

__all__ = ["main"]


def _parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ingestion-agent", description="Connect data sources and sinks by chatting."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=settings.host, help=f"default {settings.host}")
    serve.add_argument("--port", type=int, default=settings.port, help=f"default {settings.port}")
    return parser


def _serve(settings: Settings, host: str, port: int) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log = structlog.get_logger("api")
    log.info("service_starting", host=host, port=port, data_dir=str(settings.data_dir))
    web.run_app(create_app(settings), host=host, port=port, print=None, access_log=None)
    return 0


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
    if args.command == "serve":
        return _serve(settings, args.host, args.port)
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
