"""Fixtures shared by the whole suite: real servers, started the way a user would."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import structlog
from mypy_boto3_s3 import S3Client
from ulid import ULID

from connectors.base import ConnectorContext
from connectors.guard import NetworkPolicy
from core.redaction import registry as redaction_registry
from tests.support.seaweedfs import SeaweedS3, run_seaweedfs

# Tests reach their own servers on loopback, which the guard refuses by default.
LOOPBACK = NetworkPolicy.from_string("127.0.0.0/8,::1/128")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Undo ``configure_logging`` after each test, so one test's level never leaks."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    structlog_config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**structlog_config)
    structlog.contextvars.clear_contextvars()


@pytest.fixture(autouse=True)
def _restore_redaction() -> Iterator[None]:
    """Forget the secrets a test registered, so a common word (a user name such as
    ``postgres`` that a test stored in the vault) is not redacted in the next test."""
    snapshot = redaction_registry.snapshot()
    yield
    redaction_registry.restore(snapshot)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """A real S3 server (SeaweedFS) for the whole session."""
    with run_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="session")
def s3_admin(seaweed: SeaweedS3) -> S3Client:
    """A boto3 client with full access, for arranging test data."""
    return boto3.client(
        "s3",
        endpoint_url=seaweed.endpoint_url,
        aws_access_key_id=seaweed.admin.access_key_id,
        aws_secret_access_key=seaweed.admin.secret_access_key,
        region_name="us-east-1",
    )


@pytest.fixture
def bucket(s3_admin: S3Client) -> str:
    """A fresh, empty bucket for one test."""
    name = f"t-{str(ULID()).lower()}"
    s3_admin.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def loopback_context() -> ConnectorContext:
    """A connector context whose guard lets tests reach loopback servers."""
    return ConnectorContext(network=LOOPBACK, timeout=5.0)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top folder."""
    return Path(__file__).resolve().parent.parent
