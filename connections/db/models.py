"""The connection service's tables. Every row carries its tenant; queries always filter by it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from connections.db.types import JSONType, UTCDateTime, utcnow

__all__ = [
    "Agent",
    "AuditEvent",
    "AuditHead",
    "Base",
    "DataSource",
    "IdempotencyRecord",
    "InventoryUpload",
    "Job",
    "NotificationChannel",
    "PendingItem",
    "SecretRow",
    "SeenObject",
    "Sync",
]

_ID = 32  # "src_" + 26-character ULID, with room to spare
_TENANT = 128


class Base(DeclarativeBase):
    """Declarative base with the shared type map."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


class _Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Agent(_Timestamps, Base):
    """A named pipeline owner with a rule set and a default cron."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_agents_tenant_name"),)

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(_TENANT), index=True)
    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text, default="")
    default_cron: Mapped[str] = mapped_column(String(100), default="0 */6 * * *")
    rules: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(200))


class SecretRow(_Timestamps, Base):
    """A credential in the vault: ciphertext bound to its tenant and id, plus a mask."""

    __tablename__ = "secrets"

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(_TENANT), index=True)
    key_id: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    mask: Mapped[str] = mapped_column(String(32))
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # {"names": [...]}
    staged: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(200))


class DataSource(_Timestamps, Base):
    """An inbound source or an outbound sink of one agent."""

    __tablename__ = "data_sources"
    __table_args__ = (
        UniqueConstraint("agent_id", "name", name="uq_data_sources_agent_name"),
        Index("ix_data_sources_tenant_agent", "tenant_id", "agent_id"),
    )

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(_TENANT))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    secret_id: Mapped[str | None] = mapped_column(ForeignKey("secrets.id", ondelete="SET NULL"))
    format: Mapped[str | None] = mapped_column(String(16))
    schedule_cron: Mapped[str | None] = mapped_column(String(100))
    schedule_timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    selected_streams: Mapped[list[str] | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="active")
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_synced_at: Mapped[datetime | None]
    auto_push_on_job_complete: Mapped[bool | None] = mapped_column(Boolean)
    retry_failed_push: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Seed 003's default_mapping: {"fields": {target: column}, "required": [...]}; jobs
    # apply it. Not in ``config``, which the connector validates strictly.
    default_mapping: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(200))


class Sync(Base):
    """One pull or push, with its manifest."""

    __tablename__ = "syncs"
    __table_args__ = (Index("ix_syncs_source_created", "source_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(_TENANT), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("data_sources.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    manifest: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    records: Mapped[int] = mapped_column(BigInteger, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # A push records the job whose result it delivered; a pull leaves it empty.
    job_id: Mapped[str | None] = mapped_column(String(_ID), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Where the pull stopped, so a killed pull resumes without duplicates.
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class InventoryUpload(Base):
    """A pulled file or table extract in the inventory store.

    One row per (source, key, etag): the unique constraint is what makes a pull that is
    killed and re-run never store the same object twice.
    """

    __tablename__ = "inventory_uploads"
    __table_args__ = (
        UniqueConstraint("source_id", "key", "etag", name="uq_inventory_source_key_etag"),
        Index("ix_inventory_tenant_agent_created", "tenant_id", "agent_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(_TENANT))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(ForeignKey("data_sources.id", ondelete="CASCADE"))
    sync_id: Mapped[str | None] = mapped_column(ForeignKey("syncs.id", ondelete="SET NULL"))
    # The object key, or the stream name of a table extract.
    key: Mapped[str] = mapped_column(String(1024))
    # The object's ETag, a content hash, or a table extract's cursor range.
    etag: Mapped[str] = mapped_column(String(256))
    format: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    records: Mapped[int | None] = mapped_column(BigInteger)
    # Where the bytes are in the inventory store (a path or s3:// URL), never a credential.
    location: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SeenObject(Base):
    """A key seen in a source within its look-back window.

    A plain "newer than the last sync" filter skips objects that become visible late
    (airbytehq/airbyte#5365); remembering what was seen lately lets a pull take such an
    object once, and never twice. Rows older than the window are pruned.
    """

    __tablename__ = "seen_objects"

    source_id: Mapped[str] = mapped_column(
        ForeignKey("data_sources.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    etag: Mapped[str] = mapped_column(String(256), primary_key=True)
    last_modified: Mapped[datetime | None]
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Job(Base):
    """Processing of one inventory upload into one result file."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_tenant_agent_created", "tenant_id", "agent_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(_TENANT))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    # Unique: an upload starts at most one job, even when its event is delivered twice.
    upload_id: Mapped[str] = mapped_column(
        ForeignKey("inventory_uploads.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="queued")
    format: Mapped[str] = mapped_column(String(16))
    result_location: Mapped[str | None] = mapped_column(String(2048))
    records_in: Mapped[int] = mapped_column(BigInteger, default=0)
    records_out: Mapped[int] = mapped_column(BigInteger, default=0)
    # Row-level validation problems: [{"row": n, "field": ..., "message": ...}], bounded.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class NotificationChannel(_Timestamps, Base):
    """Where an agent's alerts go: a Slack incoming webhook or an HTTPS webhook.

    The URL is a credential (a Slack incoming-webhook URL lets anyone post), so it lives in
    the vault; only its host is kept here for display.
    """

    __tablename__ = "notification_channels"

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(_TENANT), index=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # SLACK_WEBHOOK | WEBHOOK
    name: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(300))
    secret_id: Mapped[str | None] = mapped_column(ForeignKey("secrets.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(200))


class PendingItem(Base):
    """Something a person must look at, e.g. ``DATA_SOURCE_PULL_FAILED``."""

    __tablename__ = "pending_items"

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(_TENANT), index=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    source_id: Mapped[str | None] = mapped_column(ForeignKey("data_sources.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(200))


class AuditEvent(Base):
    """One audited change, chained by hash to the tenant's previous event."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("tenant_id", "seq", name="uq_audit_tenant_seq"),)

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(_TENANT))
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(_ID))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last event of each tenant's chain; locked while appending so chains never fork."""

    __tablename__ = "audit_heads"

    tenant_id: Mapped[str] = mapped_column(String(_TENANT), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyRecord(Base):
    """The first response to a create request, replayed for the same Idempotency-Key."""

    __tablename__ = "idempotency_keys"

    tenant_id: Mapped[str] = mapped_column(String(_TENANT), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    location: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
