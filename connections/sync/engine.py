"""The pull engine: ``pull_inventory_from_source(sourceId)`` for every type of source.

``PullEngine.pull`` takes what is new in a source into the inventory store and records the
sync. It never raises for a failure of the source: the failure is recorded on the sync,
counted on the source (pausing it at the agent's limit, with a pending item and
notifications), and the sync id is returned as always. What happens by type:

* a file connector (:class:`~connectors.base.FileConnector`: ``S3``, ``WEBHOOK``): the
  files its source lists as new (S3: by LastModified and ETag, with a look-back window for
  objects that became visible late; a webhook: the body, when its ETag or content hash
  changed), downloaded concurrently and streamed (:mod:`connections.sync.file_pull`);
* anything else (``POSTGRES``, ``MYSQL``, ``SNOWFLAKE``, …): each stream read from its
  cursor into an NDJSON or CSV extract.

Each file or extract becomes an ``inv_…`` upload; ``on_upload`` hears of each one after its
row is committed. The secrets a pull decrypts are registered for redaction under its sync id
and released when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import structlog

from connections.credentials import Resolved, connector_for, secret_values, validate
from connections.db.models import DataSource
from connections.deps import ServiceDeps
from connections.errors import ServiceError
from connections.inventory import InventoryError, InventoryStore
from connections.sync import ledger
from connections.sync.committer import UploadCommitter
from connections.sync.extract_pull import pull_extracts
from connections.sync.file_pull import pull_files
from connections.sync.manifest import Outcome
from connections.sync.notify import Notifier
from connections.sync.owner import RUNNING, owner_record
from connections.sync.run import PullRun
from connections.sync.settings import PullSettings
from connections.vault import VaultError
from connectors.base import FileConnector
from connectors.errors import ConnectorError
from core.redaction import release_secrets, secrets_owned_by

__all__ = ["OnUpload", "PullEngine"]

log = structlog.get_logger(__name__)

OnUpload = Callable[[str], Awaitable[None]]


class PullEngine:
    """Pulls sources into the inventory (system-level: no caller identity).

    Args:
        deps: Database, vault, connectors.
        store: The inventory store.
        on_upload: Awaited with each new upload id after its row is committed (the job
            engine subscribes); it must be idempotent, as an interrupted pull's uploads are
            announced again by the next pull of the source.
        settings: Look-back window, concurrency and the like.
        notifier: Sends pause notices; by default through the agent's channels.
    """

    def __init__(
        self,
        deps: ServiceDeps,
        store: InventoryStore,
        on_upload: OnUpload | None = None,
        *,
        settings: PullSettings | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        self.deps = deps
        self.store = store
        self.on_upload = on_upload
        self.settings = settings or PullSettings()
        self.notifier = notifier or Notifier(deps)
        self.scratch_root = self.settings.scratch_dir or (
            Path(tempfile.gettempdir()) / "ingestion-agent-pulls"
        )

    async def pull(
        self, source_id: str, *, trigger: str = "manual", sync_id: str | None = None
    ) -> str:
        """Pull ``source_id`` now; return the sync id.

        With ``sync_id`` (a queued sync, e.g. from ``POST …/pull``) that sync is run; if it
        already ran, nothing happens (a duplicate delivery). A running sync of the source
        whose process is gone is recorded as interrupted first. A paused source, or one
        another process is pulling right now, gets a cancelled sync.

        Raises:
            NotFoundError: No such source (deleted meanwhile), or no such sync of it.
            ValidationError: The source is a sink.
        """
        await self._announce(
            await ledger.stale_uploads(
                self.deps.database, source_id=source_id, stale_after=self.settings.stale_after
            )
        )
        begun = await ledger.begin(
            self.deps.database,
            self.store,
            source_id=source_id,
            trigger=trigger,
            sync_id=sync_id,
            scratch_root=self.scratch_root,
            stale_after=self.settings.stale_after,
        )
        if not begun.run:
            return begun.sync_id
        try:
            # The secrets this pull decrypts are redacted while it runs, then forgotten.
            with secrets_owned_by(begun.sync_id):
                outcome = await self._run(begun.sync_id, begun.source)
            notice = await ledger.finish(
                self.deps.database, sync_id=begun.sync_id, source_id=source_id, outcome=outcome
            )
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    asyncio.shield(ledger.cancel(self.deps.database, begun.sync_id)), 5.0
                )
            raise
        finally:
            RUNNING.discard(begun.sync_id)
            release_secrets(begun.sync_id)
        log.info(
            "pull_finished",
            sync_id=begun.sync_id,
            source_id=source_id,
            status=outcome.status().value,
            uploads=outcome.uploads,
            failed=outcome.failures,
            bytes=outcome.bytes,
        )
        if notice is not None:
            await self.notifier.notify(notice)
        return begun.sync_id

    async def _resolve(self, source: DataSource) -> Resolved:
        deps = self.deps
        connector = connector_for(deps.registry, source.type, deps.connector_context)
        async with deps.database() as db:
            values = await secret_values(db, deps.vault, source.tenant_id, None, source.secret_id)
        return validate(connector, dict(source.config), values)

    async def _run(self, sync_id: str, source: DataSource) -> Outcome:
        """Do the pull; a failure of the source becomes the outcome's error."""
        scratch = self.scratch_root / sync_id
        await asyncio.to_thread(scratch.mkdir, parents=True, exist_ok=True)
        announcements: asyncio.Queue[str | None] = asyncio.Queue()
        announcer = asyncio.create_task(self._announcer(announcements))
        committer = UploadCommitter(
            self.deps.database,
            self.store,
            sync_id=sync_id,
            source=source,
            checkpoint={"owner": owner_record(), "scratch": str(scratch)},
            on_registered=announcements.put_nowait,
            heartbeat_every=self.settings.heartbeat_every,
            max_batch=self.settings.max_batch,
        )
        try:
            async with committer:
                return await self._pull(sync_id, source, committer, scratch)
        finally:
            # Spare copies and half-stored files.
            await ledger.discard(self.store, committer.reserved.values(), scratch, sync_id=sync_id)
            announcements.put_nowait(None)
            await announcer

    async def _pull(
        self, sync_id: str, source: DataSource, committer: UploadCommitter, scratch: Path
    ) -> Outcome:
        try:
            run = PullRun(
                sync_id=sync_id,
                source_id=source.id,
                source_format=source.format,
                selected_streams=source.selected_streams,
                state=dict(source.state or {}),
                resolved=await self._resolve(source),
                committer=committer,
                scratch=scratch,
                sessions=self.deps.database,
                settings=self.settings,
            )
            if isinstance(run.resolved.connector, FileConnector):
                return await pull_files(run)
            return await pull_extracts(run)
        except (ConnectorError, InventoryError, ServiceError) as exc:
            return Outcome(error=exc.message)
        except VaultError:
            return Outcome(error="The source's credentials could not be decrypted.")
        except Exception:
            log.exception("pull_crashed", sync_id=sync_id, source_id=source.id)
            return Outcome(error="The pull failed because of an internal error (logged).")

    async def _announcer(self, queue: asyncio.Queue[str | None]) -> None:
        while (upload_id := await queue.get()) is not None:
            await self._announce([upload_id])

    async def _announce(self, upload_ids: list[str]) -> None:
        if self.on_upload is None:
            return
        for upload_id in upload_ids:
            try:
                await self.on_upload(upload_id)
            except Exception:  # one subscriber's failure must not fail the pull
                log.exception("on_upload_failed", upload_id=upload_id)
