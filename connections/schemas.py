"""Request and response bodies of the data-source REST API (camelCase, as in seed 001).

These models are the API's contract: handlers validate with them and the OpenAPI
document is generated from them, so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from connections.rules import RuleSet
from connectors.results import CheckResult
from connectors.spec import ConnectorSpec, DataFormat, DsnForm, Role

__all__ = [
    "AgentCreate",
    "AgentOut",
    "AgentUpdate",
    "CatalogOut",
    "CheckOut",
    "ConnectionCheckRequest",
    "ConnectorTypeList",
    "ConnectorTypeOut",
    "DataSourceCreate",
    "DataSourceOut",
    "DataSourceUpdate",
    "FieldOut",
    "Page",
    "Pagination",
    "PendingItemOut",
    "PreviewOut",
    "PreviewRequest",
    "SecretStageRequest",
    "StagedSecretOut",
    "SyncOut",
    "spec_out",
]

T = TypeVar("T")
SourceStatus = Literal["active", "paused"]
_NAME = Field(min_length=1, max_length=200)


class _In(BaseModel):
    """Request bodies: camelCase; unknown fields (``tenantId``, ``status``...) are ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class _Out(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Pagination(_Out):
    """Where a page ends; pass ``nextCursor`` back as ``cursor`` for the next one."""

    limit: int
    next_cursor: str | None = None


class Page(_Out, Generic[T]):
    """A page of items."""

    items: list[T]
    pagination: Pagination


# -- agents ----------------------------------------------------------------------------------


class AgentCreate(_In):
    """Create an agent."""

    name: str = _NAME
    goal: str = Field(default="", max_length=4000)
    default_cron: str = Field(default="0 */6 * * *", max_length=100)
    rules: RuleSet | None = None


class AgentUpdate(_In):
    """Change an agent; absent fields stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    goal: str | None = Field(default=None, max_length=4000)
    default_cron: str | None = Field(default=None, max_length=100)


class AgentOut(_Out):
    """An agent."""

    id: str
    name: str
    goal: str
    default_cron: str
    is_default: bool
    rules: RuleSet
    created_at: datetime
    updated_at: datetime


# -- secrets ---------------------------------------------------------------------------------


class SecretStageRequest(_In):
    """Stage a secret for a source not created yet (the chat's path).

    With ``secretRef``, the values are added to that staged secret (one reference can
    then carry every secret field of a connection).
    """

    values: dict[str, str] = Field(min_length=1, max_length=20)
    type: str | None = Field(default=None, description="Connector type, to pick the masked field")
    secret_ref: str | None = Field(default=None, max_length=64)


class StagedSecretOut(_Out):
    """A staged secret: a reference and a mask, never the value."""

    secret_ref: str
    mask: str
    expires_at: datetime | None


# -- data sources ----------------------------------------------------------------------------


class DataSourceCreate(_In):
    """Exactly the body of seed 001, plus ``secretRef`` in place of ``secret``."""

    role: Role
    type: str = Field(min_length=1, max_length=32)
    name: str = _NAME
    config: dict[str, Any] = Field(default_factory=dict)
    secret: dict[str, str] | None = None
    secret_ref: str | None = Field(default=None, max_length=64)
    format: DataFormat | None = None
    schedule_cron: str | None = Field(default=None, max_length=100)
    schedule_timezone: str = Field(default="UTC", max_length=64)
    selected_streams: list[str] | None = Field(default=None, max_length=10000)
    auto_push_on_job_complete: bool | None = None
    retry_failed_push: int | None = Field(default=None, ge=0, le=10)

    @field_validator("role", mode="before")
    @classmethod
    def _upper_role(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("format", mode="before")
    @classmethod
    def _upper_format(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class DataSourceUpdate(_In):
    """Change a source; absent fields stay. ``status`` is never changed here (pause/resume)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    config: dict[str, Any] | None = None
    secret: dict[str, str] | None = None
    secret_ref: str | None = Field(default=None, max_length=64)
    format: DataFormat | None = None
    schedule_cron: str | None = Field(default=None, max_length=100)
    schedule_timezone: str | None = Field(default=None, max_length=64)
    selected_streams: list[str] | None = Field(default=None, max_length=10000)
    auto_push_on_job_complete: bool | None = None
    retry_failed_push: int | None = Field(default=None, ge=0, le=10)

    @field_validator("format", mode="before")
    @classmethod
    def _upper_format(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class DataSourceOut(_Out):
    """A source or sink; the secret only as a reference and a mask."""

    id: str
    agent_id: str
    role: Role
    type: str
    name: str
    config: dict[str, Any]
    secret_ref: str | None
    secret_mask: str | None
    format: DataFormat | None
    schedule_cron: str | None
    schedule_timezone: str
    selected_streams: list[str] | None
    status: SourceStatus
    consecutive_failures: int
    last_synced_at: datetime | None
    auto_push_on_job_complete: bool | None
    retry_failed_push: int | None
    created_at: datetime
    updated_at: datetime


class CheckOut(_Out):
    """A connection test: pass/fail, the classified failure and every step."""

    ok: bool
    failure: str | None
    message: str
    field: str | None
    steps: list[dict[str, str]]
    details: dict[str, Any]

    @classmethod
    def of(cls, result: CheckResult, *, field: str | None = None) -> CheckOut:
        """From a connector's result; ``field`` is its REST name (``secret.accessKeyId``)."""
        return cls(
            ok=result.ok,
            failure=result.failure.value if result.failure else None,
            message=result.message,
            field=field or result.field,
            steps=[s.model_dump(mode="json") for s in result.steps],
            details=result.details,
        )


class ConnectionCheckRequest(_In):
    """Test or discover a source that is not saved yet."""

    type: str = Field(min_length=1, max_length=32)
    role: Role = Role.INVENTORY_SOURCE
    config: dict[str, Any] = Field(default_factory=dict)
    secret: dict[str, str] | None = None
    secret_ref: str | None = Field(default=None, max_length=64)
    format: DataFormat | None = None

    @field_validator("role", "format", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class CatalogOut(_Out):
    """Streams found by discovery."""

    streams: list[dict[str, Any]]


class PreviewRequest(_In):
    """How many rows to preview, of which stream."""

    limit: int = Field(default=20, ge=1, le=500)
    stream: str | None = Field(default=None, max_length=500)


class PreviewOut(_Out):
    """The first rows a source would yield."""

    stream: str
    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]


# Who asked for a pull: a person (or the REST API) now, or the chat right after creating it.
PullTrigger = Literal["manual", "initial"]


class SyncOut(_Out):
    """One pull or push with its manifest."""

    id: str
    source_id: str
    direction: Literal["inbound", "outbound"]
    trigger: str
    status: str
    manifest: list[dict[str, Any]]
    bytes: int
    records: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class PendingItemOut(_Out):
    """Something a person must look at."""

    id: str
    agent_id: str
    source_id: str | None
    kind: str
    status: Literal["open", "resolved"]
    message: str
    created_at: datetime
    resolved_at: datetime | None


# -- connector types -------------------------------------------------------------------------


class FieldOut(BaseModel):
    """One field a person provides."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    kind: str
    secret: bool
    credential: bool
    required: bool
    empty_ok: bool = False
    example: str | None
    prompt: str
    default: Any = None
    choices: list[str]
    roles: list[Role]


class ConnectorTypeOut(BaseModel):
    """A connector type with its fields and the facts the chat needs about it.

    Through the connection client this is the agent's only source of connector facts, so the
    chat works the same against a remote connection service. The facts added after the first
    release default to empty, so a body without them still reads.
    """

    type: str
    label: str
    description: str
    aliases: list[str]
    roles: list[Role]
    fields: list[FieldOut]
    dsn_schemes: list[str] = Field(
        default_factory=list, description="URL schemes that name this type in a pasted DSN."
    )
    dsn_form: DsnForm | None = Field(
        default=None,
        description=(
            "How such a DSN fills the fields: host (user:password@host:port/database), "
            "account (Snowflake), bucket (bucket/prefix) or url (the whole URL)."
        ),
    )
    zero_stream_hints: list[str] = Field(
        default_factory=list, description="Likely causes when discovery finds no stream."
    )
    reask: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "Failure class -> the fields it points at, most likely first; after a failed "
            "test the chat asks again for those only."
        ),
    )


class ConnectorTypeList(BaseModel):
    """Every connector type."""

    items: list[ConnectorTypeOut]
    pagination: dict[str, int]


def spec_out(spec: ConnectorSpec) -> ConnectorTypeOut:
    """The public shape of a connector type; secret fields carry no example."""
    return ConnectorTypeOut(
        type=spec.type,
        label=spec.label,
        description=spec.description,
        aliases=list(spec.aliases),
        roles=list(spec.roles),
        fields=[
            FieldOut(
                name=f.name,
                label=f.label,
                kind=f.kind,
                secret=f.secret,
                credential=f.credential,
                required=f.required,
                empty_ok=f.empty_ok,
                example=None if f.secret else f.example,
                prompt=f.prompt,
                default=f.default,
                choices=list(f.choices),
                roles=list(f.roles),
            )
            for f in spec.fields
        ],
        dsn_schemes=list(spec.dsn_schemes),
        dsn_form=spec.dsn_form,
        zero_stream_hints=list(spec.zero_stream_hints),
        reask={str(failure): list(names) for failure, names in spec.reask.items()},
    )


# -- jobs and column mappings (issue 6) ------------------------------------------------------

__all__ += ["ColumnMappingBody", "ColumnMappingOut", "JobDetailOut", "JobOut", "PullTrigger"]

JobStatus = Literal["queued", "running", "succeeded", "partial", "failed"]


class JobOut(_Out):
    """A job: one inventory upload parsed, mapped and validated into one result file."""

    id: str
    agent_id: str
    upload_id: str
    source_id: str | None
    status: JobStatus
    format: DataFormat
    records_in: int
    records_out: int
    error_rows: int = Field(description="Rows refused by validation (all counted).")
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobDetailOut(JobOut):
    """A job with its first error rows and the pushes of its result."""

    errors: list[dict[str, Any]] = Field(
        description="The first refused rows: {row, field, message}, at most 100."
    )
    pushes: list[SyncOut]


class ColumnMappingBody(_In):
    """A source's column mapping (seed 003): target field → source column.

    Empty ``fields`` removes the mapping: jobs then pass columns through unchanged.
    """

    fields: dict[str, str] = Field(default_factory=dict, max_length=1000)
    required: list[str] = Field(default_factory=list, max_length=1000)


class ColumnMappingOut(_Out):
    """A source's column mapping."""

    source_id: str
    fields: dict[str, str]
    required: list[str]


# -- inventory uploads and notification channels (issue 6) ----------------------------------

__all__ += [
    "ChannelKind",
    "InventoryUploadOut",
    "NotificationChannelCreate",
    "NotificationChannelCreated",
    "NotificationChannelOut",
]

ChannelKind = Literal["SLACK_WEBHOOK", "WEBHOOK"]


class InventoryUploadOut(_Out):
    """A pulled file or table extract in the inventory (``inv_…``)."""

    id: str
    agent_id: str
    source_id: str
    sync_id: str | None
    key: str = Field(description="The object key, the URL, or the stream of a table extract.")
    etag: str = Field(description="The version pulled: an ETag, a content hash, a cursor range.")
    format: str
    size: int
    records: int | None = Field(description="Records in a table extract; null for files.")
    created_at: datetime


class NotificationChannelCreate(_In):
    """Where an agent's alerts go. The URL is a credential: it is kept in the vault."""

    kind: ChannelKind
    name: str = _NAME
    url: str = Field(min_length=8, max_length=2048, description="Kept in the vault, never shown.")
    signing_secret: str | None = Field(
        default=None,
        max_length=200,
        description="WEBHOOK only: a Standard Webhooks secret (whsec_…); one is made if absent.",
    )

    @field_validator("kind", mode="before")
    @classmethod
    def _upper_kind(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value


class NotificationChannelOut(_Out):
    """A notification channel; only the host of its URL is shown."""

    id: str
    agent_id: str
    kind: ChannelKind
    name: str
    host: str
    created_at: datetime


class NotificationChannelCreated(NotificationChannelOut):
    """A channel just created; a signing secret made for it is shown this once."""

    signing_secret: str | None = Field(
        default=None,
        description="The generated signing secret, shown only in this response; else null.",
    )
