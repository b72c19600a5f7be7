"""Service configuration, read once from ``INGESTION_AGENT_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from connections.identity import RoleMap
from connectors.guard import NetworkPolicy
from connectors.redaction import register_secret

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

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("allowed_networks")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        NetworkPolicy.from_string(value)  # raises ValueError naming the bad CIDR
        return value

    @field_validator("role_map")
    @classmethod
    def _valid_role_map(cls, value: str) -> str:
        RoleMap.parse(value)  # raises ValueError naming the bad entry
        return value

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
    def effective_database_url(self) -> str:
        """The configured database URL, or a SQLite file in the data directory."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.data_dir.resolve() / 'ingestion-agent.db'}"

    def register_secrets(self) -> None:
        """Tell the log redaction about every secret in the configuration."""
        for value in (self.database_url, self.redis_url, self.vault_key, self.jwt_key):
            if value is not None:
                register_secret(value.get_secret_value())
                password = urlsplit(value.get_secret_value()).password
                if password:
                    register_secret(password)
