"""What every kind of pull gets: the source, its credentials, a place to download to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connections.credentials import Resolved
from connections.sync.committer import UploadCommitter
from connections.sync.settings import PullSettings

__all__ = ["PullRun"]


@dataclass(frozen=True)
class PullRun:
    """One pull in progress.

    Attributes:
        sync_id: The running sync.
        source_id: The source pulled.
        source_format: Its configured format, if any.
        selected_streams: The streams chosen for it, if any.
        state: Its ``state`` as the pull started.
        resolved: The connector with validated config and decrypted secrets.
        committer: Registers the files the pull stores.
        scratch: This pull's own folder for downloads; removed when it ends.
        sessions: Database sessions.
        settings: The engine's tunables.
    """

    sync_id: str
    source_id: str
    source_format: str | None
    selected_streams: list[str] | None
    state: dict[str, Any]
    resolved: Resolved
    committer: UploadCommitter
    scratch: Path
    sessions: async_sessionmaker[AsyncSession]
    settings: PullSettings
