"""The webhook source's file for pulls: its body, when it changed since the last pull.

The request carries ``If-None-Match`` with the last ETag, so an unchanged export costs a
``304``. A server without ETags is caught by the body's SHA-256: the same bytes are not
taken twice. The file's key is the URL (without query string), its ETag the content hash,
and the state after it (the cursor) is committed with its upload.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any, cast

from connectors.errors import DataFormatError
from connectors.files import ByteStream, FileListing, FileSource, Since, SourceFile
from connectors.webhook.config import WebhookConfig
from connectors.webhook.fetch import Body, WebhookCursor, choose_format, is_web_page, stream_name

__all__ = ["WebhookFiles"]


class WebhookFiles(FileSource):
    """The one file a webhook source offers: the body its URL returns.

    Args:
        fetch: Downloads the body, sending ``If-None-Match`` with the ETag given.
        config: The source's settings.
    """

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[Body]], config: WebhookConfig
    ) -> None:
        self._fetch = fetch
        self._config = config
        self._body: Body | None = None

    async def list_new(self, since: Since) -> FileListing:
        """Fetch the body; it is new unless the server or its hash says it is unchanged.

        Raises:
            ConnectorError: The fetch failed, or the answer was a web page.
        """
        config = self._config
        cursor = WebhookCursor.from_state(dict(since.state))
        if self._body is not None:
            self._body.close()
        body = self._body = await self._fetch(cursor.etag)
        if body.not_modified:
            return FileListing()
        fmt = choose_format(config, body.content_type)
        if is_web_page(body.content_type):
            raise DataFormatError(
                f"{config.display_url} returned a web page, not {fmt.value} data. It may be a "
                "login page or the wrong address.",
                field="url",
            )
        fresh = {
            **since.state,
            **WebhookCursor(etag=body.etag, content_sha256=body.sha256).to_state(),
        }
        if body.sha256 == cursor.content_sha256:
            return FileListing(state=fresh)  # same bytes (perhaps a new ETag): nothing to take
        file = SourceFile(
            key=config.display_url,
            etag=f"sha256:{body.sha256}",
            size=body.size,
            name=f"{stream_name(config.url)}.{fmt.extension}",
            format=fmt,
            state=fresh,
        )
        return FileListing(files=(file,))

    def open(self, file: SourceFile) -> ByteStream:
        """The body fetched by :meth:`list_new`, from its start."""
        if self._body is None or file.etag != f"sha256:{self._body.sha256}":
            raise ValueError(f"{file.key} was not listed by this source")
        self._body.file.seek(0)
        return _Spooled(cast(io.BufferedIOBase, self._body.file))

    async def aclose(self) -> None:
        """Release the spooled body."""
        if self._body is not None:
            self._body.close()
            self._body = None


class _Spooled:
    """The spooled body as a stream; closing it leaves the body to :meth:`WebhookFiles.aclose`."""

    __slots__ = ("_file",)

    def __init__(self, file: io.BufferedIOBase) -> None:
        self._file = file

    def readinto(self, buffer: Any) -> int:
        """Read the next bytes into ``buffer``; 0 at the end."""
        return self._file.readinto(buffer)

    def close(self) -> None:
        """Nothing to release before the source is closed."""
