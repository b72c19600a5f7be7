"""Structured logging, configured once per process.

JSON lines in production, a readable console in development. Request, session and tenant
ids are bound per request through context variables. Three steps keep secrets out:
values under secret-named keys are masked, every registered secret value (and its encoded
forms) is replaced in every string, and the rendered line is redacted once more, because
values of other types (exceptions, URLs, any object) only become text inside the renderer.
Tracebacks are rendered without local variables, because locals are where secrets live.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, Processor, WrappedLogger

from core.redaction import redact_mapping, redact_text

__all__ = ["configure_logging", "redact_event", "redacting"]


def redact_event(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Mask secret-named keys and registered secret values anywhere in the event."""
    return redact_mapping(event_dict)


def redacting(renderer: Processor) -> Processor:
    """Wrap a final renderer so that the line it renders is redacted too."""

    def render(logger: WrappedLogger, method: str, event_dict: EventDict) -> Any:
        line = renderer(logger, method, event_dict)
        if isinstance(line, str):
            return redact_text(line)
        if isinstance(line, bytes | bytearray):
            return redact_text(bytes(line).decode("utf-8", "replace")).encode()
        return line

    return render


class _StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever ``sys.stderr`` is now, not what it was at configuration time."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """Ignore: the stream is always the current stderr."""


def configure_logging(
    level: str = "info", fmt: Literal["auto", "json", "console"] = "auto"
) -> None:
    """Configure structlog and the standard library's logging to share one pipeline."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor
    if use_json:
        exceptions: list[Processor] = [
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
        ]
        renderer = structlog.processors.JSONRenderer()
    else:
        exceptions = [structlog.processors.format_exc_info]
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    # Exceptions are rendered to text/dicts first, so redaction sees their messages too.
    tail: list[Processor] = [*exceptions, redact_event]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *tail,
            redacting(renderer),
        ],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiohttp's access log repeats what our middleware logs, with the query string.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # ``transitions`` logs every state change at INFO: a line per chat turn that says nothing
    # the request line does not, and a large share of a turn's CPU.
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer", "httpx", "httpcore", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
