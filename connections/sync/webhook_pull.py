"""Pulling an HTTPS webhook source: its body, when it changed since the last pull.

The request carries ``If-None-Match`` with the last ETag, so an unchanged export costs a
``304``. A server without ETags is caught by the body's SHA-256: the same bytes are not
taken twice. The upload's key is the URL (without query string), its ETag the content hash.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import BinaryIO

from connections.sync.committer import NewUpload
from connections.sync.manifest import Outcome
from connections.sync.run import PullRun
from connectors.errors import DataFormatError
from connectors.webhook import WebhookConfig, WebhookConnector, WebhookSecrets
from connectors.webhook.fetch import WebhookCursor, choose_format, is_web_page, stream_name

__all__ = ["pull_webhook"]


def _copy(source: BinaryIO, path: Path) -> None:
    with path.open("wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)


async def pull_webhook(run: PullRun) -> Outcome:
    """Fetch the webhook's body; take it into the inventory when it changed.

    Raises:
        ConnectorError: The fetch failed, or the answer was a web page.
    """
    connector = run.resolved.connector
    assert isinstance(connector, WebhookConnector)  # noqa: S101 - the WEBHOOK type's connector
    config, secrets = connector.parse(run.resolved.config, run.resolved.secrets)
    assert isinstance(config, WebhookConfig)  # noqa: S101 - a webhook's connector parsed it
    assert isinstance(secrets, WebhookSecrets)  # noqa: S101
    cursor = WebhookCursor.from_state(run.state)
    body = await connector.fetch(config, secrets, etag=cursor.etag)
    outcome = Outcome()
    with body:
        if body.not_modified:
            return outcome
        fmt = choose_format(config, body.content_type)
        if is_web_page(body.content_type):
            raise DataFormatError(
                f"{config.display_url} returned a web page, not {fmt.value} data. It may be a "
                "login page or the wrong address.",
                field="url",
            )
        fresh = {
            **run.state,
            **WebhookCursor(etag=body.etag, content_sha256=body.sha256).to_state(),
        }
        if body.sha256 == cursor.content_sha256:
            outcome.state = fresh  # same bytes (perhaps a new ETag): nothing to take
            return outcome
        name = f"{stream_name(config.url)}.{fmt.extension}"
        path = run.scratch / name
        await asyncio.to_thread(_copy, body.file, path)
    etag = f"sha256:{body.sha256}"
    try:
        registered = await run.committer.register(
            NewUpload(
                key=config.display_url,
                etag=etag,
                name=name,
                path=path,
                size=body.size,
                format=fmt.value,
                state=fresh,
            )
        )
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)
    outcome.manifest.append(registered.entry(config.display_url, body.size, etag))
    if registered.inserted:
        outcome.bytes = body.size
    return outcome
