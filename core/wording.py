"""Wording shared by every plain-language message: counted nouns, lists, sizes.

The agent's templates use :func:`plural` and :func:`human_list` as Jinja filters of the same
names; connectors use them in the messages of their checks and discoveries.
"""

from __future__ import annotations

__all__ = ["human_bytes", "human_list", "plural"]

_UNITS = ("bytes", "KB", "MB", "GB")


def human_bytes(size: int) -> str:
    """A size as people read it: ``512 bytes``, ``3.4 MB`` (decimal units, like S3 consoles)."""
    value = float(size)
    for unit in _UNITS:
        if value < 1000:
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``, ``1,204 tables``: a count with its noun in agreement.

    The one helper for counted nouns in every message (the agent's templates use it as the
    ``plural`` filter: ``{{ n | plural("table") }}``). ``many`` is the plural where adding
    "s" is wrong (``plural(n, "entry", "entries")``).
    """
    word = noun if count == 1 else (many or f"{noun}s")
    return f"{count:,} {word}"


def human_list(items: list[str], conjunction: str = "and") -> str:
    """``a, b and c`` (or ``a, b or c``): also the templates' ``human_list`` filter."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
