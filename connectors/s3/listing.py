"""Listing a prefix and grouping its files into streams."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from connectors.formats import format_from_name
from connectors.results import FileInfo
from connectors.s3.client import s3_errors
from connectors.s3.config import S3Config

if TYPE_CHECKING:
    # boto3-stubs comes with the dev extras only: the type exists for mypy, not at run time.
    from mypy_boto3_s3 import S3Client

__all__ = ["StreamFiles", "is_data_file", "list_files", "stream_name", "survey"]

# Keys reported as examples by a survey.
_FIRST_KEYS = 5

# Parts of a file name that change from one delivery to the next: dates, times, counters.
_VOLATILE = re.compile(
    r"(\d{4}[-_]?\d{2}[-_]?\d{2}([tT_ -]?\d{2}[:\-]?\d{2}([:\-]?\d{2})?)?[zZ]?|\d+)"
)
_SEPARATORS = re.compile(r"[-_. ]+")


def is_data_file(key: str, config: S3Config) -> bool:
    """Whether a listed key is a file of the configured format, not a folder marker."""
    return not key.endswith("/") and format_from_name(key) == config.format


def list_files(client: S3Client, config: S3Config) -> Iterator[FileInfo]:
    """Every object under the prefix in the configured format, paging past 1,000 keys.

    Folder markers (keys ending in ``/``) and files of other formats are left out.
    """
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=config.bucket, Prefix=config.prefix):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            if not is_data_file(key, config):
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


@dataclass
class StreamFiles:
    """What a listing learned about one stream, without holding all of its files.

    Attributes:
        count: How many files the stream has.
        size: Their total size in bytes.
    """

    count: int = 0
    size: int = 0
    # A min-heap of the most recent files, by (LastModified, key); keys are unique.
    _recent: list[tuple[datetime, str, FileInfo]] = field(default_factory=list)

    def add(self, file: FileInfo, keep: int) -> None:
        """Count ``file``, keeping it if it is among the ``keep`` most recent."""
        self.count += 1
        self.size += file.size
        item = (file.last_modified, file.key, file)
        if len(self._recent) < keep:
            heapq.heappush(self._recent, item)
        elif keep and item[:2] > self._recent[0][:2]:
            heapq.heapreplace(self._recent, item)

    def newest(self) -> list[FileInfo]:
        """The kept files, most recent first."""
        return [f for _, _, f in sorted(self._recent, key=lambda i: i[:2], reverse=True)]


def survey(
    client: S3Client, config: S3Config, keep: int
) -> tuple[dict[str, StreamFiles], list[str]]:
    """List the prefix once: per stream its count, size and ``keep`` most recent files.

    Memory grows with the number of streams, not of files. Also returns the first few
    keys, as examples.

    Raises:
        ConnectorError: Classified listing failures.
    """
    streams: dict[str, StreamFiles] = {}
    first_keys: list[str] = []
    with s3_errors(config, "list objects"):
        for file in list_files(client, config):
            streams.setdefault(stream_name(file.key, config.prefix), StreamFiles()).add(file, keep)
            if len(first_keys) < _FIRST_KEYS:
                first_keys.append(file.key)
    return streams, first_keys
