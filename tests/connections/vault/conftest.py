"""A vault with a fresh in-memory keyring; the ``db`` fixture comes from ``tests/connections``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ulid import ULID

from connections.vault import Keyring, Vault, generate_key

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
USER = "user-1"
TTL = timedelta(minutes=30)


def canary(label: str = "secret") -> str:
    """A secret value no other test uses, long enough to be masked with its last four."""
    return f"{label}-{ULID()}"


@pytest.fixture
def keyring() -> Keyring:
    """One random key, as if from ``INGESTION_AGENT_VAULT_KEY``."""
    return Keyring([generate_key()])


@pytest.fixture
def vault(keyring: Keyring) -> Vault:
    """A vault whose staged secrets live for :data:`TTL`."""
    return Vault(keyring, staged_ttl=TTL)
