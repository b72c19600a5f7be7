"""S3 ``check``: every step reported, every failure classified, against real SeaweedFS."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from mypy_boto3_s3 import S3Client

from connectors.base import ConnectorContext
from connectors.guard import NetworkPolicy
from connectors.results import FailureClass, StepStatus
from connectors.s3 import S3Connector
from connectors.spec import Role
from tests.conftest import LOOPBACK
from tests.support.ports import free_port
from tests.support.seaweedfs import SeaweedS3


def _statuses(result: Any) -> dict[str, StepStatus]:
    return {step.name: step.status for step in result.steps}


async def test_source_check_reports_what_the_next_sync_would_pull(
    s3: S3Connector, s3_config: dict[str, Any], s3_admin: S3Client, seaweed: SeaweedS3
) -> None:
    s3_admin.put_object(Bucket=s3_config["bucket"], Key="daily/a.csv", Body=b"id\n1\n")
    s3_admin.put_object(Bucket=s3_config["bucket"], Key="daily/b.csv", Body=b"id\n2\n3\n")
    s3_admin.put_object(Bucket=s3_config["bucket"], Key="daily/notes.txt", Body=b"skip me")
    s3_admin.put_object(Bucket=s3_config["bucket"], Key="other/c.csv", Body=b"id\n4\n")

    result = await s3.check(s3_config, seaweed.reader.secrets())

    assert result.ok, result.message
    assert result.details["objects"] == 2
    assert result.details["bytes"] == len(b"id\n1\n") + len(b"id\n2\n3\n")
    assert "would pull 2 files" in result.message
    assert _statuses(result) == {
        "validate_config": StepStatus.OK,
        "resolve_endpoint": StepStatus.OK,
        "authenticate": StepStatus.OK,
        "list_prefix": StepStatus.OK,
    }


async def test_empty_prefix_is_ok_and_says_so(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    result = await s3.check(s3_config, seaweed.reader.secrets())

    assert result.ok
    assert result.details["objects"] == 0
    assert "no CSV files" in result.message


@pytest.mark.parametrize(
    ("identity", "failure", "field", "failed_step"),
    [
        ("unknown", FailureClass.AUTH_FAILED, "access_key_id", "authenticate"),
        ("wrong_secret", FailureClass.AUTH_FAILED, "secret_access_key", "authenticate"),
        ("writer", FailureClass.PERMISSION_DENIED, "access_key_id", "list_prefix"),
    ],
    ids=["unknown-key-id", "wrong-secret", "write-only-key-cannot-list"],
)
async def test_credential_failures_are_classified(
    s3: S3Connector,
    s3_config: dict[str, Any],
    seaweed: SeaweedS3,
    identity: str,
    failure: FailureClass,
    field: str,
    failed_step: str,
) -> None:
    result = await s3.check(s3_config, getattr(seaweed, identity).secrets())

    assert not result.ok
    assert result.failure is failure
    assert result.field == field
    assert _statuses(result)[failed_step] is StepStatus.FAILED


async def test_missing_bucket_is_not_found(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    result = await s3.check({**s3_config, "bucket": "no-such-bucket-here"}, seaweed.admin.secrets())

    assert result.failure is FailureClass.NOT_FOUND
    assert result.field == "bucket"
    assert "no-such-bucket-here" in result.message


async def test_closed_port_is_unreachable(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"

    result = await s3.check({**s3_config, "endpoint_url": closed}, seaweed.admin.secrets())

    assert result.failure is FailureClass.UNREACHABLE
    assert result.field == "endpoint_url"
    assert _statuses(result)["authenticate"] is StepStatus.FAILED


async def test_endpoint_that_never_answers_is_a_timeout(
    s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    done = asyncio.Event()

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # take the request, never answer
        await done.wait()
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connector = S3Connector(ConnectorContext(network=LOOPBACK, timeout=0.5))
    try:
        result = await connector.check(
            {**s3_config, "endpoint_url": f"http://127.0.0.1:{port}"}, seaweed.admin.secrets()
        )
    finally:
        done.set()
        server.close()

    assert result.failure is FailureClass.TIMEOUT
    assert result.field == "endpoint_url"
    assert "did not answer in time" in result.message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bucket": "ab"}, "bucket"),
        ({"bucket": "Not_A_Bucket"}, "bucket"),
        ({"region": "moon", "endpoint_url": None}, "region"),
        ({"region": "not.a.region"}, "region"),
        ({"format": "PARQUET"}, "format"),
        ({"unexpected": "x"}, "unexpected"),
    ],
    ids=[
        "bucket-too-short",
        "bucket-bad-characters",
        "not-an-aws-region",
        "bad-region",
        "bad-format",
        "unknown-field",
    ],
)
async def test_invalid_config_names_the_field_and_contacts_nothing(
    s3: S3Connector,
    s3_config: dict[str, Any],
    seaweed: SeaweedS3,
    change: dict[str, str],
    field: str,
) -> None:
    result = await s3.check({**s3_config, **change}, seaweed.admin.secrets())

    assert result.failure is FailureClass.INVALID_CONFIG
    assert result.field == field
    assert _statuses(result)["resolve_endpoint"] is StepStatus.SKIPPED


async def test_missing_secret_is_invalid_config(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    result = await s3.check(s3_config, {"access_key_id": seaweed.admin.access_key_id})

    assert result.failure is FailureClass.INVALID_CONFIG
    assert result.field == "secret_access_key"


async def test_guard_refuses_loopback_endpoint_by_default(
    s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    connector = S3Connector(ConnectorContext(network=NetworkPolicy()))

    result = await connector.check(s3_config, seaweed.admin.secrets())

    assert result.failure is FailureClass.BLOCKED_BY_POLICY
    assert result.field == "endpoint_url"
    assert "127.0.0.1" in result.message
    assert "INGESTION_AGENT_ALLOWED_NETWORKS" in result.message
    assert _statuses(result)["resolve_endpoint"] is StepStatus.FAILED


@pytest.mark.parametrize(
    ("endpoint_url", "failure"),
    [
        ("ftp://127.0.0.1:21", FailureClass.INVALID_CONFIG),
        ("http://user:pa55word@127.0.0.1:9000", FailureClass.INVALID_CONFIG),
        ("http://127.0.0.1:9000/?X-Amz-Security-Token=abcdef123456", FailureClass.INVALID_CONFIG),
        ("http://169.254.169.254", FailureClass.BLOCKED_BY_POLICY),
        ("http://no-such-host.invalid:9000", FailureClass.UNREACHABLE),
    ],
    ids=["not-http", "credentials-in-url", "query-string", "metadata-address", "unresolvable"],
)
async def test_a_bad_endpoint_url_is_blamed_on_endpoint_url(
    s3: S3Connector,
    s3_config: dict[str, Any],
    seaweed: SeaweedS3,
    endpoint_url: str,
    failure: FailureClass,
) -> None:
    result = await s3.check({**s3_config, "endpoint_url": endpoint_url}, seaweed.admin.secrets())

    assert result.failure is failure
    assert result.field == "endpoint_url"
    assert _statuses(result)["resolve_endpoint"] is StepStatus.FAILED
    assert "pa55word" not in json.dumps(result.model_dump(mode="json"))
    assert "abcdef123456" not in json.dumps(result.model_dump(mode="json"))


async def test_messages_show_the_endpoint_as_scheme_host_and_port_only(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    port = free_port()

    result = await s3.check(
        {**s3_config, "endpoint_url": f"http://127.0.0.1:{port}/private-gateway-path"},
        seaweed.admin.secrets(),
    )

    assert result.failure is FailureClass.UNREACHABLE
    assert f"http://127.0.0.1:{port}" in result.message
    assert "private-gateway-path" not in result.message


async def test_sink_check_proves_write_access_and_leaves_nothing(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3, s3_admin: S3Client
) -> None:
    result = await s3.check(s3_config, seaweed.writer.secrets(), role=Role.RESULTS_SINK)

    assert result.ok, result.message
    assert _statuses(result)["write_access"] is StepStatus.OK
    listing = s3_admin.list_objects_v2(Bucket=s3_config["bucket"])
    assert listing.get("KeyCount", 0) == 0
    uploads = s3_admin.list_multipart_uploads(Bucket=s3_config["bucket"])
    assert not uploads.get("Uploads")


async def test_sink_check_passes_when_the_key_may_not_abort_uploads(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3, s3_admin: S3Client
) -> None:
    bucket = s3_config["bucket"]
    # AWS grants s3:AbortMultipartUpload apart from s3:PutObject; deny only the former.
    deny_abort = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:AbortMultipartUpload",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3_admin.put_bucket_policy(Bucket=bucket, Policy=json.dumps(deny_abort))

    result = await s3.check(s3_config, seaweed.writer.secrets(), role=Role.RESULTS_SINK)

    assert result.ok, result.message
    (write_access,) = [step for step in result.steps if step.name == "write_access"]
    assert write_access.status is StepStatus.OK
    assert "incomplete" in write_access.message
    assert "lifecycle" in write_access.message
    assert s3_admin.list_multipart_uploads(Bucket=bucket).get("Uploads")


async def test_sink_check_with_read_only_key_is_permission_denied(
    s3: S3Connector, s3_config: dict[str, Any], seaweed: SeaweedS3
) -> None:
    result = await s3.check(s3_config, seaweed.reader.secrets(), role=Role.RESULTS_SINK)

    assert result.failure is FailureClass.PERMISSION_DENIED
    assert _statuses(result)["write_access"] is StepStatus.FAILED
    assert _statuses(result)["authenticate"] is StepStatus.OK
