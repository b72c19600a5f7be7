"""Service configuration, read once from ``INGESTION_AGENT_*`` environment variables."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.redis_names import DEFAULT_REDIS_PREFIX, RedisNames
from api.web.cors import normalize_origin
from connections.identity import RoleMap
from connections.inventory import InventoryStore, open_inventory_store
from connections.runner import RunnerOptions
from connections.sync.settings import PullSettings
from connectors.guard import NetworkPolicy
from core.redaction import PROCESS, register_secret

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Every setting has an embedded default, so ``ingestion-agent serve`` runs as is.

    Attributes:
        data_dir: Where the SQLite database, vault key and inventory files live.
        database_url: SQLAlchemy URL; default a SQLite file in ``data_dir``.
        redis_url: Turns on the Redis session store and job queue when set.
        allowed_networks: CIDRs the connection guard lets through (empty: none).
        log_level: ``debug``, ``info``, ``warning`` or ``error``.
        log_format: ``json`` for production, ``console`` for development; ``auto`` picks
            console when stderr is a terminal.
        host: Address ``serve`` binds by default.
        port: Port ``serve`` binds by default.
        vault_key: Master key(s) for the secret vault, comma-separated urlsafe base64,
            the first active (else a key file in ``data_dir``).
        auth_mode: ``headers`` (trust X-Tenant-Id, X-User-ID, X-User-Roles from a gateway)
            or ``jwt`` (verify a bearer token).
        jwt_key: HMAC secret, or PEM public key, that verifies tokens in ``jwt`` mode.
        jwt_algorithm: The one accepted algorithm (HS256, RS256, ES256, ...).
        jwt_audience: The required ``aud`` claim.
        role_map: ``ROLE=perm+perm;...``; empty means the built-in map.
        max_sessions: Conversations one process keeps; a new one past it is a 503 (memory
            store only; the Redis store has no cap).
        session_lock_timeout: Seconds after which a session lock held in Redis expires, so a
            crashed process never blocks a session longer than that.
        slack_signing_secret: Verifies Slack's requests; with ``slack_bot_token`` it turns
            the Slack relay on (docs/slack.md).
        slack_bot_token: The Slack app's bot token (``xoxb-…``).
        slack_tenant: The tenant Slack users act in.
        slack_roles: Comma-separated roles Slack users hold.
        slack_api_url: Slack's Web API base URL (tests point it at a stand-in).
        slack_redis_prefix: Key prefix of the relay's thread map and seen-event set in Redis;
            default ``{redis_prefix}slack:``.
        widget_origins: Comma-separated web origins (``https://intranet.example.com``) whose
            pages may embed the web chat widget: only they get CORS access to the session API.
            Empty means the widget works on this service's own page only.
        inventory_url: ``s3://bucket/prefix`` keeps inventory files in a bucket; unset, they
            live in ``data_dir/inventory``.
        inventory_s3_endpoint: The inventory bucket's S3-compatible endpoint (unset: AWS).
        inventory_s3_region: The inventory bucket's region.
        inventory_s3_access_key_id: Key pair for the inventory bucket (unset: boto3's
            default credential chain, e.g. an instance role).
        inventory_s3_secret_access_key: Its secret half.
        pull_lookback_hours: How far behind the newest object a pull looks for objects that
            became visible late; keys seen within it are remembered.
        pull_concurrency: Objects one pull downloads at once.
        workers: ``internal`` (``serve`` also runs pulls, jobs and pushes) or ``external``
            (with ``redis_url``: only ``ingestion-agent worker`` processes run them).
        queue_name: The Redis job queue's name; default derived from ``redis_prefix``.
        redis_prefix: What every Redis key of this deployment starts with; give each
            deployment sharing a Redis its own (see :mod:`api.redis_names`).
        scheduler_interval: Seconds between the scheduler's scans for due cron ticks.
        worker_concurrency: Pulls, jobs and pushes one process runs at once.
        job_timeout: Seconds one queued pull, job or push may run; a worker killed
            mid-task leaves it to be retried after this.
        connection_url: The base URL (``http(s)://host:port``) of a separate
            ``ingestion-agent serve`` that the chat uses as its connection service, acting
            as each user with the gateway headers (so that service runs in ``headers``
            auth mode, reachable only from here). Unset: the chat uses this process's own.
    """

    model_config = SettingsConfigDict(env_prefix="INGESTION_AGENT_", frozen=True, extra="ignore")

    data_dir: Path = Path("./var")
    # URLs may carry passwords (postgresql://user:pass@host/db): kept as secrets.
    database_url: SecretStr | None = None
    redis_url: SecretStr | None = None
    allowed_networks: str = ""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "json", "console"] = "auto"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    vault_key: SecretStr | None = None
    auth_mode: Literal["headers", "jwt"] = "headers"
    jwt_key: SecretStr | None = None
    jwt_algorithm: Literal["HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"] = "HS256"
    jwt_audience: str = "ingestion-agent"
    role_map: str = ""
    # Measured (docs/performance.md): ~1.4 KB a compressed session over a ~135 MB process,
    # so 100,000 idle sessions stay within 300 MB of RSS in total.
    max_sessions: int = Field(default=100_000, ge=1)
    session_lock_timeout: float = Field(default=30.0, gt=0)
    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_tenant: str = "slack"
    slack_roles: str = "ROLE_DATA_ENGINEER"
    slack_api_url: str = "https://slack.com/api/"
    slack_redis_prefix: str | None = Field(default=None, min_length=1, max_length=100)
    widget_origins: str = ""
    inventory_url: str | None = None
    inventory_s3_endpoint: str | None = None
    inventory_s3_region: str = "us-east-1"
    inventory_s3_access_key_id: str | None = None
    inventory_s3_secret_access_key: SecretStr | None = None
    pull_lookback_hours: float = Field(default=24.0, ge=0)
    pull_concurrency: int = Field(default=32, ge=1, le=256)
    workers: Literal["internal", "external"] = "internal"
    queue_name: str | None = Field(default=None, min_length=1, max_length=200)
    redis_prefix: str = Field(
        default=DEFAULT_REDIS_PREFIX, min_length=1, max_length=100, pattern=r"^[^\s*?\[\]]+$"
    )
    scheduler_interval: float = Field(default=60.0, gt=0)
    worker_concurrency: int = Field(default=4, ge=1, le=256)
    job_timeout: float = Field(default=3600.0, gt=0)
    connection_url: str | None = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("allowed_networks")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        NetworkPolicy.from_string(value)  # raises ValueError naming the bad CIDR
        return value

    @field_validator("widget_origins")
    @classmethod
    def _valid_widget_origins(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip():
                normalize_origin(item)  # raises ValueError naming the bad entry
        return value

    @field_validator("role_map")
    @classmethod
    def _valid_role_map(cls, value: str) -> str:
        RoleMap.parse(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("connection_url")
    @classmethod
    def _valid_connection_url(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        split = urlsplit(value.strip())
        if split.scheme not in ("http", "https") or not split.hostname:
            raise ValueError("the connection service URL must look like https://host:port")
        if split.username or split.password:
            raise ValueError("the connection service URL must not carry a user or password")
        return value.strip().rstrip("/")

    @field_validator("inventory_url")
    @classmethod
    def _valid_inventory_url(cls, value: str | None) -> str | None:
        if value and not value.strip().startswith("s3://"):
            raise ValueError("the inventory URL must look like s3://bucket/prefix")
        return value.strip() if value else None

    @model_validator(mode="after")
    def _jwt_needs_key(self) -> Settings:
        if self.auth_mode == "jwt" and self.jwt_key is None:
            raise ValueError(
                "INGESTION_AGENT_JWT_KEY is required when INGESTION_AGENT_AUTH_MODE=jwt"
            )
        return self

    @property
    def roles(self) -> RoleMap:
        """The role map in force."""
        return RoleMap.parse(self.role_map) if self.role_map.strip() else RoleMap.default()

    @property
    def network_policy(self) -> NetworkPolicy:
        """The connection guard's policy built from ``allowed_networks``."""
        return NetworkPolicy.from_string(self.allowed_networks)

    @property
    def widget_allowed_origins(self) -> frozenset[str]:
        """The origins of ``widget_origins``, normalized as browsers send them."""
        return frozenset(normalize_origin(o) for o in self.widget_origins.split(",") if o.strip())

    @property
    def pull_settings(self) -> PullSettings:
        """How pulls behave; downloads land beside the local inventory (same disk: linked)."""
        return PullSettings(
            lookback=timedelta(hours=self.pull_lookback_hours),
            concurrency=self.pull_concurrency,
            scratch_dir=self.data_dir.resolve() / "tmp" / "pulls",
        )

    def open_inventory(self) -> InventoryStore:
        """The inventory store: the S3 bucket of ``inventory_url``, else ``data_dir/inventory``."""
        return open_inventory_store(
            data_dir=self.data_dir.resolve(),
            url=self.inventory_url,
            endpoint_url=self.inventory_s3_endpoint,
            region=self.inventory_s3_region,
            access_key_id=self.inventory_s3_access_key_id,
            secret_access_key=self.inventory_s3_secret_access_key,
        )

    @property
    def effective_database_url(self) -> str:
        """The configured database URL, or a SQLite file in the data directory."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.data_dir.resolve() / 'ingestion-agent.db'}"

    @property
    def redis_names(self) -> RedisNames:
        """Every Redis key prefix and the queue name, from ``redis_prefix``."""
        return RedisNames(self.redis_prefix, self.slack_redis_prefix, self.queue_name)

    @property
    def runner_options(self) -> RunnerOptions:
        """How ``serve`` runs pulls, jobs and pushes: in process, or on the Redis queue."""
        return RunnerOptions(
            redis_url=self.redis_url.get_secret_value() if self.redis_url else None,
            queue_name=self.redis_names.queue,
            job_id_prefix=self.redis_names.job_ids,
            in_process_worker=self.workers == "internal",
            concurrency=self.worker_concurrency,
            job_timeout=self.job_timeout,
            scheduler_interval=self.scheduler_interval,
        )

    @property
    def vault_key_text(self) -> str | None:
        """The vault's master key(s), unwrapped only where the vault is opened."""
        return self.vault_key.get_secret_value() if self.vault_key else None

    def register_secrets(self) -> None:
        """Tell the log redaction about every secret in the configuration, for good."""
        for value in (
            self.database_url,
            self.redis_url,
            self.vault_key,
            self.jwt_key,
            self.slack_signing_secret,
            self.slack_bot_token,
            self.inventory_s3_secret_access_key,
        ):
            if value is not None:
                register_secret(value.get_secret_value(), owner=PROCESS)
                password = urlsplit(value.get_secret_value()).password
                if password:
                    register_secret(password, owner=PROCESS)
