"""Streams that behave like network bodies: forward-only, and counting what was read."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer


class ForwardOnlyReader(io.RawIOBase):
    """Serves bytes once, front to back, like an HTTP or S3 body, and counts them."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer).cast("B")
        chunk = self._data[self.bytes_read : self.bytes_read + len(target)]
        target[: len(chunk)] = chunk
        self.bytes_read += len(chunk)
        return len(chunk)


class ForwardOnlyWriter(io.RawIOBase):
    """Accepts bytes but cannot seek back, like an upload stream."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, buffer: ReadableBuffer) -> int:
        chunk = bytes(buffer)
        self.data += chunk
        return len(chunk)


def forward_only(data: bytes) -> tuple[BinaryIO, ForwardOnlyReader]:
    """A buffered, non-seekable stream over ``data``, and the counter beneath it."""
    raw = ForwardOnlyReader(data)
    return io.BufferedReader(raw), raw
