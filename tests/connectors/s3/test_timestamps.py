"""Timestamps in S3 responses: the fast path reads exactly what botocore's parser reads."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.utils import parse_timestamp
from mypy_boto3_s3 import S3Client

from connectors.base import ConnectorContext
from connectors.s3.client import make_client, parse_s3_timestamp
from connectors.s3.config import S3Config, S3Secrets
from tests.support.seaweedfs import SeaweedS3


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-23T16:54:13.000Z",  # a listing's LastModified
        "2026-11-23T16:54:13Z",
        "2026-11-23T16:54:13.123456+02:00",
        "Mon, 23 Nov 2026 16:54:13 GMT",  # an HTTP date header
        "1795625653",  # epoch seconds
        "2026-11-23T16:54:13",  # naive: botocore decides
    ],
)
def test_the_fast_parser_agrees_with_botocore(value: str) -> None:
    parsed = parse_s3_timestamp(value)

    assert parsed == parse_timestamp(value)
    assert parsed.utcoffset() == parse_timestamp(value).utcoffset()


def test_a_listing_through_our_client_has_the_dates_of_a_plain_boto3_client(
    loopback_context: ConnectorContext,
    seaweed: SeaweedS3,
    s3_admin: S3Client,
    bucket: str,
) -> None:
    for key in ("daily/a.csv", "daily/b.csv"):
        s3_admin.put_object(Bucket=bucket, Key=key, Body=b"id\n1\n")
    values: dict[str, Any] = {"bucket": bucket, "endpoint_url": seaweed.endpoint_url}
    client = make_client(
        S3Config.model_validate(values),
        S3Secrets.model_validate(seaweed.reader.secrets()),
        loopback_context,
    )

    ours = client.list_objects_v2(Bucket=bucket)["Contents"]
    plain = s3_admin.list_objects_v2(Bucket=bucket)["Contents"]

    assert [o["LastModified"] for o in ours] == [o["LastModified"] for o in plain]
    assert all(o["LastModified"].tzinfo is not None for o in ours)
