"""Errors of the message parsers.

A parser returns ``None`` (or an empty result) when a message is simply not of the kind it
reads; it raises or returns a :class:`ParseError` only when the message clearly meant
something of that kind but cannot be used as it stands. The agent shows ``message`` to the
person as it is: it is plain language, offers examples, and never contains a secret.

None of them is retryable unchanged: the person has to say it differently.

Tree::

    ParseError            (message: str, examples: tuple[str, ...])   fatal: ask again
    ├── SelectionError    numbers out of range, names or globs matching no stream
    └── ScheduleError     neither a valid cron line nor words we understand
"""

from __future__ import annotations

__all__ = ["ParseError", "ScheduleError", "SelectionError"]


class ParseError(ValueError):
    """Root of every parser error.

    Attributes:
        message: What was wrong, in plain words, safe to show to the person.
        examples: Phrasings that would have worked.
    """

    retryable = False

    def __init__(self, message: str, *, examples: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.examples = examples


class SelectionError(ParseError):
    """Some of the streams a person named do not exist, or nothing was named.

    Attributes:
        unmatched: The numbers, names and globs that matched nothing, as typed.
        selected: What the rest of the message selected, in catalog order, should the
            caller want to offer it ("I'll take booking.csv; "expdia" matches nothing").
    """

    def __init__(
        self,
        message: str,
        *,
        unmatched: tuple[str, ...] = (),
        selected: tuple[str, ...] = (),
        examples: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, examples=examples)
        self.unmatched = unmatched
        self.selected = selected


class ScheduleError(ParseError):
    """A schedule that is neither a valid cron line nor words we understand."""
