"""Wording shared by connectors' plain-language messages."""

from __future__ import annotations

__all__ = ["human_bytes"]

_UNITS = ("bytes", "KB", "MB", "GB")


def human_bytes(size: int) -> str:
    """A size as people read it: ``512 bytes``, ``3.4 MB`` (decimal units, like S3 consoles)."""
    value = float(size)
    for unit in _UNITS:
        if value < 1000:
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"
