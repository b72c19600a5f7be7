"""The one error the demo reports to the person: what failed and what to do."""

from __future__ import annotations

__all__ = ["DemoError"]


class DemoError(Exception):
    """A step of the demo failed; the message says what to do, on one line."""
