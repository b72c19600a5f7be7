"""Reading a source's files: the contract the sync engine pulls every file connector through.

Like an httpx transport, a :class:`FileSource` does two things and the engine does the
rest (reservations, downloads on its threads, the inventory, the manifest)::

    source = await connector.files(config, secrets, connections=32)
    try:
        listing = await source.list_new(since)       # what is new since the saved state
        for file in listing.files:                    # oldest first; the engine uses threads
            stream = source.open(file)                # bytes, or why the file is gone
            ...                                       # readinto() until 0, then close()
    finally:
        await source.aclose()

What "new" means for files with a modification time and a version tag is one rule,
:class:`LookBack`, used by every connector that needs it (S3's pulls and its record reads).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from connectors.results import FileInfo
from connectors.spec import DataFormat

__all__ = [
    "ByteStream",
    "FileListing",
    "FileSource",
    "LookBack",
    "SeenLoader",
    "Since",
    "SourceFile",
    "Unavailable",
]

SeenLoader = Callable[[datetime | None], Awaitable[Container[tuple[str, str]]]]
"""The ``(key, etag)`` pairs already taken, modified at or after a time (None: all)."""


class LookBack:
    """The rule for which listed files are new: a look-back window plus the versions seen.

    A plain "newer than the last read" filter silently skips a file that becomes visible
    late with an older modification time (airbytehq/airbyte#5365): an upload that took
    long to complete, a replicated bucket, a clock that lags. So a file is new when it was
    modified at or after ``newest - lookback`` (``newest``: the newest modification time
    the last complete read listed) and its ``(key, etag)`` is not among those seen. Seen
    versions older than the window are never candidates again, so whoever keeps them may
    forget them: memory is bounded by one window, not by the size of the source.

    Args:
        newest: The newest modification time listed by the last complete read (None:
            never read, so every unseen file is new).
        lookback: The window's length.
        seen: ``(key, etag)`` pairs taken, or deliberately passed over, within the window.
    """

    __slots__ = ("seen", "start")

    def __init__(
        self, newest: datetime | None, lookback: timedelta, seen: Container[tuple[str, str]]
    ) -> None:
        self.start = None if newest is None else newest - lookback
        self.seen = seen

    def is_new(self, file: FileInfo) -> bool:
        """Whether ``file`` is still to be taken."""
        if self.start is not None and file.last_modified < self.start:
            return False
        return (file.key, file.etag) not in self.seen


class Unavailable(Enum):
    """Why a listed file could not be opened; neither is an error of the read."""

    DELETED = "deleted"
    """Deleted since it was listed: nothing left to read."""
    REWRITTEN = "rewritten"
    """Rewritten since it was listed: the next read lists it again, with its new version."""


class ByteStream(Protocol):
    """An opened file: read it with ``readinto`` until it gives 0, then ``close`` it.

    Reads raise classified :class:`~connectors.errors.ConnectorError` s. Closing before the
    end gives up the rest of the download.
    """

    def readinto(self, buffer: Any) -> int:
        """Read the next bytes into ``buffer``; 0 at the end."""
        ...

    def close(self) -> None:
        """Release the stream."""
        ...


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A new file, as the sync engine takes it into the inventory.

    Attributes:
        key: What names it at the source (an object key, a URL): the upload's key.
        etag: Its version (an ETag, a content hash): the upload's ETag.
        size: Its size in bytes, as listed.
        name: A file name for it (extension included).
        format: The format to parse it in.
        last_modified: Its modification time, for sources read with :class:`LookBack`:
            the pull then remembers ``(key, etag)`` as seen. None: nothing to remember.
        state: The source's state to commit together with this file's upload (a source
            of one file, whose cursor is that file), if any.
    """

    key: str
    etag: str
    size: int
    name: str
    format: DataFormat
    last_modified: datetime | None = None
    state: dict[str, Any] | None = None


@dataclass(frozen=True)
class Since:
    """Where the last pull of a source stopped: what ``list_new`` compares against.

    Attributes:
        state: The source's saved state (written by an earlier ``list_new``).
        lookback: The look-back window for sources that use :class:`LookBack`.
        seen: Loads the versions already taken (kept by the pull, not in ``state``).
        streams: Only files of these streams; None: all of them.
    """

    state: Mapping[str, Any]
    lookback: timedelta
    seen: SeenLoader
    streams: frozenset[str] | None = None


@dataclass(frozen=True)
class FileListing:
    """What ``list_new`` found.

    Attributes:
        files: The new files, oldest first.
        state: The source's state once the pull ends without failing; None keeps it.
        forget_before: Seen versions modified before this may be forgotten then.
    """

    files: Sequence[SourceFile] = field(default_factory=tuple)
    state: dict[str, Any] | None = None
    forget_before: datetime | None = None


class FileSource(ABC):
    """A source's files during one pull (see the module docstring).

    ``open`` and the streams it returns block: the engine calls them on its own threads,
    several at once, so an implementation must be thread-safe there.
    """

    @abstractmethod
    async def list_new(self, since: Since) -> FileListing:
        """The files new since ``since``, oldest first, and the state after them.

        Raises:
            ConnectorError: Classified; the pull fails as a whole.
        """

    @abstractmethod
    def open(self, file: SourceFile) -> ByteStream | Unavailable:
        """Start reading ``file`` as it was listed; or say why it is not there any more.

        Raises:
            ConnectorError: Classified; this file fails, the pull goes on.
        """

    async def aclose(self) -> None:  # noqa: B027 - optional: not every source holds anything
        """Release connections, spooled bodies and the like."""
