"""Inbound transfers: fetch a URL into a spooled file, and the state that makes reads resume.

A body is spooled (memory first, then a temporary file) rather than parsed off the socket:
XLSX needs a seekable file, the body's hash must be known before any record is emitted
(an unchanged body yields nothing), and a slow parser must not hold the connection open.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any, BinaryIO, Self, cast
from urllib.parse import unquote, urlsplit

import httpx

from connectors.errors import DataFormatError
from connectors.formats import format_from_name
from connectors.spec import DataFormat
from connectors.webhook._http import is_success, status_error, timeout_of, translate_http_errors
from connectors.webhook.config import WebhookConfig
from core.wording import human_bytes

__all__ = [
    "Body",
    "WebhookCursor",
    "choose_format",
    "download",
    "is_web_page",
    "stream_name",
]

# Bodies up to this size stay in memory; larger ones roll over to a temporary file.
_SPOOL_IN_MEMORY = 8 << 20
_DEFAULT_STREAM = "records"
_FORMAT_EXTENSIONS = frozenset({".csv", ".tsv", ".json", ".ndjson", ".jsonl", ".xlsx"})
_FORMAT_BY_MEDIA_TYPE = {
    "text/csv": DataFormat.CSV,
    "application/csv": DataFormat.CSV,
    "application/json": DataFormat.JSON,
    "application/x-ndjson": DataFormat.NDJSON,
    "application/ndjson": DataFormat.NDJSON,
    "application/jsonl": DataFormat.NDJSON,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": DataFormat.XLSX,
}


def _last_segment(url: str) -> str:
    """The URL path's last segment, percent-decoded."""
    return unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])


def stream_name(url: str) -> str:
    """The one stream a webhook source offers: the URL path's last segment, or ``records``.

    A format extension is dropped, so ``/exports/products.csv`` gives ``products``.
    """
    path = PurePosixPath(_last_segment(url).strip() or _DEFAULT_STREAM)
    name = path.stem if path.suffix.lower() in _FORMAT_EXTENSIONS else path.name
    return name or _DEFAULT_STREAM


def _media_type(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()


def choose_format(config: WebhookConfig, content_type: str | None) -> DataFormat:
    """The format to parse a body in.

    A format the person chose wins; otherwise the URL's file extension, then the response's
    content type, then the default (JSON).
    """
    if "format" in config.model_fields_set:
        return config.format
    by_name = format_from_name(_last_segment(config.url))
    if by_name is not None:
        return by_name
    return _FORMAT_BY_MEDIA_TYPE.get(_media_type(content_type), config.format)


def is_web_page(content_type: str | None) -> bool:
    """Whether a response is an HTML page, which no supported format is."""
    return _media_type(content_type) in ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class WebhookCursor:
    """Where a source's reads stand: the last body's ETag and SHA-256.

    The ETag lets the server answer ``304 Not Modified``; the hash catches servers that
    send no ETag or change it without changing the body.
    """

    etag: str | None = None
    content_sha256: str | None = None

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> WebhookCursor:
        """Read a state written by :meth:`to_state`; anything unreadable counts as empty."""
        etag = state.get("etag")
        digest = state.get("content_sha256")
        return cls(
            etag=etag if isinstance(etag, str) and etag else None,
            content_sha256=digest if isinstance(digest, str) and digest else None,
        )

    def to_state(self) -> dict[str, Any]:
        """The JSON-serializable checkpoint."""
        return {"etag": self.etag, "content_sha256": self.content_sha256}


class Body:
    """A downloaded response body (or a ``304 Not Modified``), closed after use."""

    def __init__(
        self,
        *,
        file: BinaryIO,
        size: int = 0,
        sha256: str | None = None,
        etag: str | None = None,
        content_type: str | None = None,
        not_modified: bool = False,
    ) -> None:
        self.file = file
        self.size = size
        self.sha256 = sha256
        self.etag = etag
        self.content_type = content_type
        #: The server answered 304 to our ``If-None-Match``; ``file`` is empty.
        self.not_modified = not_modified

    def close(self) -> None:
        """Release the spooled file."""
        self.file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _too_large(url_display: str, limit: int) -> DataFormatError:
    return DataFormatError(
        f"The response from {url_display} is larger than {human_bytes(limit)}, the most a "
        "webhook source may return. Ask for a smaller export or use an S3 source.",
        field="url",
    )


async def download(
    client: httpx.AsyncClient,
    config: WebhookConfig,
    headers: dict[str, str],
    *,
    has_auth: bool,
    max_bytes: int,
    etag: str | None = None,
) -> Body:
    """Fetch ``config.url`` into a spooled file, hashing it on the way.

    Args:
        client: A guarded client.
        config: Where and how to fetch.
        headers: Request headers, the auth header included.
        has_auth: Whether ``headers`` carry credentials (for the 401 message).
        max_bytes: Refuse bodies larger than this (after content decoding).
        etag: Sent as ``If-None-Match``; a 304 answer gives a not-modified :class:`Body`.

    Raises:
        ConnectorError: Classified: unreachable, refused, not found, too large, ...
    """
    request_headers = dict(headers)
    if etag:
        request_headers["If-None-Match"] = etag
    with translate_http_errors(config.url, timeout=timeout_of(client)):
        async with client.stream(config.method, config.url, headers=request_headers) as resp:
            if resp.status_code == httpx.codes.NOT_MODIFIED and etag:
                return Body(file=io.BytesIO(), etag=etag, not_modified=True)
            if not is_success(resp.status_code):
                raise status_error(resp, url=config.url, has_auth=has_auth)
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(config.display_url, max_bytes)
            # SpooledTemporaryFile is a binary file in all but its declared type.
            spool = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY))  # noqa: SIM115
            try:
                size, digest = await _copy(resp, spool, max_bytes, config.display_url)
            except BaseException:
                spool.close()
                raise
            spool.seek(0)
            return Body(
                file=spool,
                size=size,
                sha256=digest,
                etag=resp.headers.get("etag"),
                content_type=resp.headers.get("content-type"),
            )


async def _copy(
    response: httpx.Response, spool: BinaryIO, max_bytes: int, where: str
) -> tuple[int, str]:
    """Copy the body into ``spool``; return its size and SHA-256 (hex)."""
    digest = hashlib.sha256()
    size = 0
    # aiter_bytes undoes gzip/deflate, so the cap also stops decompression bombs.
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(where, max_bytes)
        digest.update(chunk)
        # A write lands in memory or the page cache; not worth a thread hop.
        spool.write(chunk)
    return size, digest.hexdigest()
