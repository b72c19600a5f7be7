"""Listing a prefix, grouping its files into streams, and the incremental cursor."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from mypy_boto3_s3 import S3Client
from pydantic import BaseModel, ConfigDict, Field

from connectors.formats import format_from_name
from connectors.results import FileInfo
from connectors.s3.config import S3Config

__all__ = ["S3Cursor", "SeenObject", "list_files", "stream_name"]

# Parts of a file name that change from one delivery to the next: dates, times, counters.
_VOLATILE = re.compile(
    r"(\d{4}[-_]?\d{2}[-_]?\d{2}([tT_ -]?\d{2}[:\-]?\d{2}([:\-]?\d{2})?)?[zZ]?|\d+)"
)
_SEPARATORS = re.compile(r"[-_. ]+")


def list_files(client: S3Client, config: S3Config) -> Iterator[FileInfo]:
    """Every object under the prefix in the configured format, paging past 1,000 keys.

    Folder markers (keys ending in ``/``) and files of other formats are left out.
    """
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=config.bucket, Prefix=config.prefix):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            if key.endswith("/") or format_from_name(key) != config.format:
                continue
            yield FileInfo(
                key=key,
                size=int(obj.get("Size", 0)),
                etag=str(obj.get("ETag", "")).strip('"'),
                last_modified=obj["LastModified"].astimezone(UTC),
            )


def stream_name(key: str, prefix: str) -> str:
    """Name the stream a file belongs to, so daily deliveries of one feed group together.

    ``daily/2026-05-25/booking.csv`` and ``daily/booking_2026-05-26.csv`` both belong to
    ``booking``. A file named only by a date takes its folder's name.
    """
    relative = key.removeprefix(prefix)
    parts = [p for p in relative.split("/") if p]
    base = parts[-1].rsplit(".", 1)[0] if parts else ""
    name = _SEPARATORS.sub("_", _VOLATILE.sub("", base)).strip("_").lower()
    if name:
        return name
    for folder in reversed(parts[:-1]):
        name = _SEPARATORS.sub("_", _VOLATILE.sub("", folder)).strip("_").lower()
        if name:
            return name
    folder = prefix.rstrip("/").rsplit("/", 1)[-1]
    return _SEPARATORS.sub("_", folder).strip("_").lower() or "files"


class SeenObject(BaseModel):
    """An object the cursor remembers inside its look-back window."""

    model_config = ConfigDict(frozen=True)

    etag: str
    last_modified: datetime


class S3Cursor(BaseModel):
    """Which objects were already read: a LastModified high-water mark plus recent keys.

    A plain "newer than the cursor" filter misses objects that become visible late with an
    older LastModified (airbytehq/airbyte#5365), so the keys and ETags seen within a
    look-back window are remembered too, and an object in the window that was not seen is
    still read once. The memory is bounded by the window.
    """

    model_config = ConfigDict(frozen=True)

    last_modified: datetime | None = None
    seen: dict[str, SeenObject] = Field(default_factory=dict)
    lookback_seconds: int = 3600

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> S3Cursor:
        """Restore from a ``StateMessage`` payload (empty means from the beginning)."""
        return cls.model_validate(state.get("cursor", {}))

    def to_state(self) -> dict[str, Any]:
        """The payload to checkpoint."""
        return {"cursor": self.model_dump(mode="json")}

    def is_new(self, file: FileInfo) -> bool:
        """Whether ``file`` still has to be read."""
        if self.last_modified is None or file.last_modified > self.last_modified:
            return True
        seen = self.seen.get(file.key)
        if seen is not None:
            return seen.etag != file.etag
        return file.last_modified >= self._window_start(self.last_modified)

    def new_files(self, files: Iterable[FileInfo]) -> list[FileInfo]:
        """The files still to read, oldest first (the order that keeps the cursor honest)."""
        return sorted((f for f in files if self.is_new(f)), key=lambda f: (f.last_modified, f.key))

    def advance(self, file: FileInfo) -> S3Cursor:
        """The cursor after ``file`` was read completely."""
        high = file.last_modified
        if self.last_modified is not None and self.last_modified > high:
            high = self.last_modified
        start = self._window_start(high)
        seen = {
            key: obj
            for key, obj in self.seen.items()
            # Older than the window: can no longer be mistaken for new, so forget it.
            if obj.last_modified >= start and key != file.key
        }
        seen[file.key] = SeenObject(etag=file.etag, last_modified=file.last_modified)
        return S3Cursor(last_modified=high, seen=seen, lookback_seconds=self.lookback_seconds)

    def _window_start(self, high: datetime) -> datetime:
        return high - timedelta(seconds=self.lookback_seconds)
