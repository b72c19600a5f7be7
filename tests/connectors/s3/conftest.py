"""Fixtures for the S3 connector against the real SeaweedFS server."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.base import ConnectorContext
from connectors.s3 import S3Connector
from tests.support.seaweedfs import SeaweedS3


@pytest.fixture
def s3(loopback_context: ConnectorContext) -> S3Connector:
    return S3Connector(loopback_context)


@pytest.fixture
def s3_config(seaweed: SeaweedS3, bucket: str) -> dict[str, Any]:
    return {
        "bucket": bucket,
        "prefix": "daily/",
        "region": "us-east-1",
        "endpoint_url": seaweed.endpoint_url,
        "format": "CSV",
    }
