"""Rows and files for job and push tests: an agent, sources, sinks, uploads in a real store.

Rows are written directly (as a pull would have written them), so that jobs and pushes
are tested on their own; the inventory store is the real local one in a temporary folder.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from ulid import ULID

from connections.db.models import DataSource, InventoryUpload, Job, Sync
from connections.deps import ServiceDeps
from connections.inventory import LocalInventoryStore
from core.ids import new_id
from tests.connections.engine_support import add_agent

__all__ = [
    "SIGNING_SECRET",
    "World",
    "csv_bytes",
]

SIGNING_SECRET = "whsec_" + base64.b64encode(b"jobs-and-pushes-signing-key-0123").decode()


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """A CSV file."""
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class World:
    """One tenant's agent with helpers to add sources, sinks and uploads."""

    deps: ServiceDeps
    store: LocalInventoryStore
    tmp: Path
    tenant: str
    agent_id: str = ""

    @classmethod
    async def create(
        cls, deps: ServiceDeps, store: LocalInventoryStore, tmp: Path, **rules: Any
    ) -> World:
        """A fresh tenant and agent whose rule set is the defaults updated by ``rules``."""
        world = cls(deps=deps, store=store, tmp=tmp, tenant=f"tenant-{ULID()}".lower())
        world.agent_id = await world.add_agent(**rules)
        return world

    async def add_agent(self, **rules: Any) -> str:
        """An agent of the tenant; ``rules`` as ``data_sinks={...}`` sections."""
        return await add_agent(self.deps, self.tenant, **rules)

    async def add_source(
        self,
        *,
        mapping: dict[str, Any] | None = None,
        fmt: str = "CSV",
        config: dict[str, Any] | None = None,
        secrets: dict[str, str] | None = None,
        cron: str | None = None,
    ) -> str:
        """An S3 inventory source; jobs never contact its bucket, pulls do (``secrets``)."""
        secret_id = None
        if secrets:
            async with self.deps.database() as db:
                secret = await self.deps.vault.store(
                    db, tenant_id=self.tenant, user_id="test", values=secrets, primary=None
                )
                await db.commit()
            secret_id = secret.id
        source = DataSource(
            id=new_id("src"),
            tenant_id=self.tenant,
            agent_id=self.agent_id,
            role="INVENTORY_SOURCE",
            type="S3",
            name=f"source-{ULID()}",
            config=config or {"bucket": "inventory", "prefix": "in/", "format": fmt},
            format=fmt,
            default_mapping=mapping,
            secret_id=secret_id,
            schedule_cron=cron,
            created_by="test",
        )
        async with self.deps.database() as db:
            db.add(source)
            await db.commit()
        return source.id

    async def add_sink(
        self,
        sink_type: str,
        config: dict[str, Any],
        secrets: dict[str, str],
        *,
        fmt: str | None = None,
        auto_push: bool | None = None,
        retries: int | None = None,
        status: str = "active",
    ) -> str:
        """A results sink whose credentials are in the vault, as a saved sink's are."""
        async with self.deps.database() as db:
            secret = await self.deps.vault.store(
                db,
                tenant_id=self.tenant,
                user_id="test",
                values=secrets,
                primary=next(iter(secrets)),
            )
            sink = DataSource(
                id=new_id("src"),
                tenant_id=self.tenant,
                agent_id=self.agent_id,
                role="RESULTS_SINK",
                type=sink_type,
                name=f"sink-{ULID()}",
                config={**config, **({"format": fmt} if fmt else {})},
                format=fmt,
                secret_id=secret.id,
                auto_push_on_job_complete=auto_push,
                retry_failed_push=retries,
                status=status,
                created_by="test",
            )
            db.add(sink)
            await db.commit()
        return sink.id

    async def add_upload(
        self, source_id: str, content: bytes, *, fmt: str = "CSV", name: str = "items.csv"
    ) -> str:
        """An upload of ``content`` stored in the inventory, as a pull leaves it."""
        upload_id = new_id("inv")
        src = self.tmp / f"{upload_id}-{name}"
        src.write_bytes(content)
        location = await self.store.put_file(self.tenant, upload_id, name, src)
        async with self.deps.database() as db:
            db.add(
                InventoryUpload(
                    id=upload_id,
                    tenant_id=self.tenant,
                    agent_id=self.agent_id,
                    source_id=source_id,
                    key=f"in/{name}",
                    etag=str(ULID()),
                    format=fmt,
                    size=len(content),
                    location=location,
                )
            )
            await db.commit()
        return upload_id

    async def job(self, job_id: str) -> Job:
        """The job row as it is now."""
        async with self.deps.database() as db:
            row = await db.get(Job, job_id)
        assert row is not None
        return row

    async def jobs_of(self, upload_id: str) -> list[Job]:
        """Every job of an upload."""
        async with self.deps.database() as db:
            return list((await db.execute(select(Job).where(Job.upload_id == upload_id))).scalars())

    async def pushes(self, job_id: str) -> list[Sync]:
        """Every push sync of a job."""
        async with self.deps.database() as db:
            query = select(Sync).where(Sync.job_id == job_id).order_by(Sync.created_at)
            return list((await db.execute(query)).scalars())

    async def result_bytes(self, job_id: str) -> bytes:
        """The job's result file."""
        job = await self.job(job_id)
        assert job.result_location, job.error
        async with self.store.open(job.result_location) as path:
            return path.read_bytes()
