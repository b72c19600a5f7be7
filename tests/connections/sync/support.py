"""A tenant, an agent and sources for pull tests, written straight into the database.

Sources are saved as the service saves them (config normalised by the connector, secrets in
the vault) without the save-time ping, so a test can point one at anything, even a server
that is not up yet. Objects go into the real SeaweedFS bucket of the test.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from mypy_boto3_s3 import S3Client
from sqlalchemy import func, select
from ulid import ULID

from connections.db.models import DataSource, InventoryUpload, SeenObject, Sync
from connections.deps import ServiceDeps
from core.ids import new_id
from tests.connections.engine_support import add_agent
from tests.support.seaweedfs import S3Identity, SeaweedS3

__all__ = ["SIGNING_SECRET", "Tenant", "csv_bytes"]

SIGNING_SECRET = "whsec_" + base64.b64encode(b"pull-notification-signing-key-01").decode()


def csv_bytes(rows: int, *, start: int = 1, tag: str = "") -> bytes:
    """A small CSV file of ``rows`` products."""
    lines = ["sku,name,qty"] + [
        f"SKU-{i:05d},Widget {i}{tag},{i}" for i in range(start, start + rows)
    ]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Tenant:
    """One tenant with one agent; helpers to add sources and read what pulls left."""

    deps: ServiceDeps
    tenant_id: str = field(default_factory=lambda: f"tenant-{str(ULID()).lower()}")
    agent_id: str = ""

    async def add_agent(self, **rules: Any) -> str:
        """An agent of default rules, sections updated by ``rules`` (``data_sources={...}``)."""
        agent_id = await add_agent(self.deps, self.tenant_id, **rules)
        self.agent_id = self.agent_id or agent_id
        return agent_id

    async def add_source(
        self,
        type_: str,
        config: dict[str, Any],
        secrets: dict[str, str] | None = None,
        *,
        name: str | None = None,
        streams: list[str] | None = None,
        agent_id: str | None = None,
    ) -> str:
        """A saved inventory source of ``type_``."""
        connector = self.deps.registry.create(type_, self.deps.connector_context)
        cfg, _ = connector.parse(config, secrets or {})
        normalised = cfg.model_dump(mode="json", exclude_none=True)
        async with self.deps.database() as db:
            secret_id = None
            if secrets:
                row = await self.deps.vault.store(
                    db, tenant_id=self.tenant_id, user_id="test", values=secrets
                )
                secret_id = row.id
            source = DataSource(
                id=new_id("src"),
                tenant_id=self.tenant_id,
                agent_id=agent_id or self.agent_id,
                role="INVENTORY_SOURCE",
                type=connector.spec.type,
                name=name or f"source-{ULID()}",
                config=normalised,
                secret_id=secret_id,
                format=normalised.get("format"),
                selected_streams=streams,
                created_by="test",
            )
            db.add(source)
            await db.commit()
        return source.id

    async def add_s3_source(
        self,
        seaweed: SeaweedS3,
        bucket: str,
        *,
        prefix: str = "daily/",
        identity: S3Identity | None = None,
        endpoint_url: str | None = None,
        **kwargs: Any,
    ) -> str:
        """An S3 source over ``bucket``/``prefix`` of CSV files."""
        key = identity or seaweed.reader
        return await self.add_source(
            "S3",
            {
                "bucket": bucket,
                "prefix": prefix,
                "endpoint_url": endpoint_url or seaweed.endpoint_url,
                "region": "us-east-1",
                "format": "CSV",
            },
            key.secrets(),
            **kwargs,
        )

    # -- reading back -----------------------------------------------------------------------

    async def source(self, source_id: str) -> DataSource:
        """The source row as it is now."""
        async with self.deps.database() as db:
            row = await db.get(DataSource, source_id)
            assert row is not None
            return row

    async def sync(self, sync_id: str) -> Sync:
        """The sync row as it is now."""
        async with self.deps.database() as db:
            row = await db.get(Sync, sync_id)
            assert row is not None
            return row

    async def uploads(self, source_id: str) -> list[InventoryUpload]:
        """Every upload of the source, oldest first."""
        async with self.deps.database() as db:
            query = (
                select(InventoryUpload)
                .where(InventoryUpload.source_id == source_id)
                .order_by(InventoryUpload.id)
            )
            return list((await db.scalars(query)).all())

    async def seen_keys(self, source_id: str) -> set[str]:
        """Keys in the source's look-back history."""
        async with self.deps.database() as db:
            query = select(SeenObject.key).where(SeenObject.source_id == source_id)
            return set((await db.scalars(query)).all())

    async def count_syncs(self, source_id: str) -> int:
        """How many syncs the source has."""
        async with self.deps.database() as db:
            query = select(func.count()).select_from(Sync).where(Sync.source_id == source_id)
            return int(await db.scalar(query) or 0)


def put_objects(s3: S3Client, bucket: str, keys: dict[str, bytes]) -> None:
    """Put each key with its body."""
    for key, body in keys.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
