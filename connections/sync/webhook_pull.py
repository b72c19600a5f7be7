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
from connections.sync.manifest import EntryStatus, Outcome, entry
from connections.sync.run import PullRun
from connectors.errors import DataFormatError
from connectors.guard import guarded_client
from connectors.webhook import WebhookConfig, WebhookConnector, WebhookSecrets
from connectors.webhook.fetch import (
    WebhookCursor,
    choose_format,
    download,
    is_web_page,
    stream_name,
)

__all__ = ["pull_webhook"]

_USER_AGENT = "ingestion-agent-webhook/0.1"
_DEFAULT_MAX_BODY = 1 << 30


def _copy(source: BinaryIO, path: Path) -> None:
    with path.open("wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)


async def pull_webhook(run: PullRun) -> Outcome:
    """Fetch the webhook's body; take it into the inventory when it changed.

    Raises:
        ConnectorError: The fetch failed, or the answer was a web page.
    """
    connector = run.resolved.connector
    config, secrets = connector.parse(run.resolved.config, run.resolved.secrets)
    assert isinstance(config, WebhookConfig)  # noqa: S101 - a webhook's connector parsed it
    assert isinstance(secrets, WebhookSecrets)  # noqa: S101
    max_bytes = (
        connector.max_body_bytes if isinstance(connector, WebhookConnector) else _DEFAULT_MAX_BODY
    )
    headers = dict(config.headers)
    if secrets.auth_header is not None:
        headers["Authorization"] = secrets.auth_header.get_secret_value()
    cursor = WebhookCursor.from_state(run.state)
    context = connector.context
    async with guarded_client(
        context.network,
        verify=context.ssl_context if context.ssl_context is not None else True,
        timeout=context.timeout,
        headers={"User-Agent": _USER_AGENT},
    ) as client:
        body = await download(
            client,
            config,
            headers,
            has_auth=secrets.auth_header is not None,
            max_bytes=max_bytes,
            etag=cursor.etag,
        )
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
    if not registered.inserted:
        outcome.manifest.append(
            entry(
                config.display_url,
                body.size,
                EntryStatus.SKIPPED,
                inventory_id=registered.upload_id,
                etag=etag,
                error="Already in the inventory from an earlier pull.",
            )
        )
        return outcome
    outcome.bytes = body.size
    outcome.manifest.append(
        entry(
            config.display_url,
            body.size,
            EntryStatus.UPLOADED,
            inventory_id=registered.upload_id,
            etag=etag,
        )
    )
    return outcome
