"""The connector error tree: recovery follows the failure class."""

from __future__ import annotations

import botocore.exceptions as bex
import pytest

from connectors.errors import (
    ConnectionFailedError,
    ConnectorError,
    EndpointGoneError,
    ServerError,
)
from connectors.results import FailureClass
from connectors.s3.client import s3_errors
from connectors.s3.config import S3Config


@pytest.mark.parametrize(
    ("error", "failure", "retryable"),
    [
        (ConnectionFailedError("x"), FailureClass.UNREACHABLE, True),
        (ConnectionFailedError("x", failure=FailureClass.TIMEOUT), FailureClass.TIMEOUT, True),
        (ConnectionFailedError("x", failure=FailureClass.TLS), FailureClass.TLS, False),
        (ServerError("x"), FailureClass.SERVER_ERROR, True),
        (EndpointGoneError("x"), FailureClass.ENDPOINT_GONE, False),
    ],
    ids=["unreachable", "timeout", "tls", "server-error", "endpoint-gone"],
)
def test_recovery_follows_the_failure_class(
    error: ConnectorError, failure: FailureClass, retryable: bool
) -> None:
    assert error.failure is failure
    assert error.retryable is retryable


@pytest.mark.parametrize(
    ("code", "status"),
    [("InternalError", 500), ("ServiceUnavailable", 503), ("SlowDown", 503), ("", 502)],
    ids=["internal-error", "unavailable", "slow-down", "bare-502"],
)
def test_s3_server_failures_are_server_errors(code: str, status: int) -> None:
    answer = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    config = S3Config(bucket="acme-inventory")

    with pytest.raises(ServerError) as caught, s3_errors(config, "list objects"):
        raise bex.ClientError(answer, "ListObjectsV2")  # type: ignore[arg-type]

    assert caught.value.retryable
