"""The S3 source's files for pulls: one listing compared with the look-back rule, lean GETs.

The listing is compared in memory with :class:`~connectors.files.LookBack` and the versions
already taken (one load), so a tick over a prefix of tens of thousands of objects with
nothing new costs the listing and little else. The state is the newest LastModified listed
(``{"lastModified": ...}``), S3's own clock. Requests go out through
:class:`~connectors.s3.reader.BucketReader`; each GET carries ``If-Match`` with the listed
ETag, so an object deleted or rewritten since the listing is :class:`Unavailable`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import urllib3

from connectors.files import (
    ByteStream,
    FileListing,
    FileSource,
    LookBack,
    Since,
    SourceFile,
    Unavailable,
)
from connectors.results import FileInfo
from connectors.s3.config import S3Config
from connectors.s3.listing import stream_name
from connectors.s3.reader import BucketReader

__all__ = ["S3Files"]

_STATE_KEY = "lastModified"


def _newest(state: Any) -> datetime | None:
    value = state.get(_STATE_KEY)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class S3Files(FileSource):
    """The objects under a source's prefix, in its format.

    Args:
        reader: Lists and GETs the bucket (closed by :meth:`aclose`).
        config: The source's settings.
    """

    def __init__(self, reader: BucketReader, config: S3Config) -> None:
        self._reader = reader
        self._config = config

    async def list_new(self, since: Since) -> FileListing:
        """The objects new by the look-back rule, oldest first.

        Raises:
            ConnectorError: Classified listing failures.
        """
        newest = _newest(since.state)
        start = None if newest is None else newest - since.lookback
        window = LookBack(newest, since.lookback, await since.seen(start))
        new, newest = await asyncio.to_thread(self._list_new, window, newest, since.streams)
        if newest is None:
            return FileListing(files=new)
        return FileListing(
            files=new,
            state={**since.state, _STATE_KEY: newest.isoformat()},
            forget_before=newest - since.lookback,
        )

    def _list_new(
        self, window: LookBack, newest: datetime | None, streams: frozenset[str] | None
    ) -> tuple[list[SourceFile], datetime | None]:
        """The new objects, oldest first, and the newest LastModified listed (blocking)."""
        found: list[FileInfo] = []
        prefix = self._config.prefix
        for file in self._reader.list_files():
            if streams is not None and stream_name(file.key, prefix) not in streams:
                continue
            if newest is None or file.last_modified > newest:
                newest = file.last_modified
            if window.is_new(file):
                found.append(file)
        found.sort(key=lambda f: (f.last_modified, f.key))
        fmt = self._config.format
        files = [
            SourceFile(
                key=f.key,
                etag=f.etag,
                size=f.size,
                name=f.key.rsplit("/", 1)[-1],
                format=fmt,
                last_modified=f.last_modified,
            )
            for f in found
        ]
        return files, newest

    def open(self, file: SourceFile) -> ByteStream | Unavailable:
        """Start the GET of ``file`` (``If-Match`` its ETag).

        Raises:
            ConnectorError: Classified, as the S3 connector classifies them.
        """
        assert file.last_modified is not None  # noqa: S101 - every listed object has one
        info = FileInfo.model_construct(
            key=file.key, size=file.size, etag=file.etag, last_modified=file.last_modified
        )
        response = self._reader.open(info)
        if isinstance(response, Unavailable):
            return response
        return _Body(self._reader, response, file.key)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        self._reader.close()


class _Body:
    """An object's body; its connection goes back to the pool only when read to the end."""

    __slots__ = ("_done", "_key", "_reader", "_response")

    def __init__(self, reader: BucketReader, response: urllib3.BaseHTTPResponse, key: str) -> None:
        self._reader = reader
        self._response = response
        self._key = key
        self._done = False

    def readinto(self, buffer: Any) -> int:
        """Read the next bytes into ``buffer``; 0 at the end.

        Raises:
            ConnectionFailedError: The connection broke off or stalled.
        """
        count = self._reader.read_into(self._response, self._key, buffer)
        if not count:
            self._done = True
        return count

    def close(self) -> None:
        """Reuse the connection after a complete body; drop it after a partial one."""
        if self._done:
            self._response.release_conn()
        else:
            self._response.close()
