"""Service configuration, read once from ``INGESTION_AGENT_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.guard import NetworkPolicy

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
        vault_key: Master key for the secret vault (else a key file in ``data_dir``).
    """

    model_config = SettingsConfigDict(env_prefix="INGESTION_AGENT_", frozen=True, extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    redis_url: str | None = None
    allowed_networks: str = ""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "json", "console"] = "auto"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    vault_key: SecretStr | None = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("allowed_networks")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        NetworkPolicy.from_string(value)  # raises ValueError naming the bad CIDR
        return value

    @property
    def network_policy(self) -> NetworkPolicy:
        """The connection guard's policy built from ``allowed_networks``."""
        return NetworkPolicy.from_string(self.allowed_networks)

    @property
    def effective_database_url(self) -> str:
        """The configured database URL, or a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'ingestion-agent.db'}"
