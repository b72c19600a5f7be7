"""Options of ``ingestion-agent demo``: its ports and its folder."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from api.settings import Settings

__all__ = ["DemoOptions", "add_demo_arguments"]

DEFAULT_DATA_DIR = Path("var/demo")


@dataclass(frozen=True)
class DemoOptions:
    """What ``ingestion-agent demo`` was asked to do.

    Attributes:
        port: The service's port (on 127.0.0.1).
        s3_port: SeaweedFS's S3 port; None picks a free one (its +10000 twin free too).
        webhook_port: The receiver's port; None picks a free one.
        data_dir: The demo's folder, emptied at each start.
    """

    port: int
    s3_port: int | None
    webhook_port: int | None
    data_dir: Path

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DemoOptions:
        """Read the parsed command line."""
        return cls(
            port=args.port,
            s3_port=args.s3_port,
            webhook_port=args.webhook_port,
            data_dir=args.data_dir,
        )


def add_demo_arguments(parser: argparse.ArgumentParser, settings: Settings) -> None:
    """Declare the options of the ``demo`` command on ``parser``."""
    parser.add_argument(
        "--port",
        type=int,
        default=settings.port,
        help=f"the service's port (default {settings.port})",
    )
    parser.add_argument("--s3-port", type=int, default=None, help="S3 port (default: a free one)")
    parser.add_argument(
        "--webhook-port", type=int, default=None, help="webhook receiver port (default: a free one)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help=f"the demo's data and logs, emptied at each start (default {DEFAULT_DATA_DIR})",
    )
