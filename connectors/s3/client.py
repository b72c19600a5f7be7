"""Building a boto3 S3 client behind the connection guard, and translating its errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import botocore.exceptions as bex
from botocore.config import Config
from mypy_boto3_s3 import S3Client

from connectors.base import ConnectorContext
from connectors.errors import (
    AuthError,
    ConnectionFailedError,
    ConnectorError,
    InvalidConfigError,
    NotFoundError,
)
from connectors.results import FailureClass
from connectors.s3.config import S3Config, S3Secrets

__all__ = ["endpoint_of", "make_client", "s3_errors"]


def endpoint_of(config: S3Config, context: ConnectorContext) -> tuple[str, str, int]:
    """The (scheme, host, port) boto3 will connect to, parsed by the guard itself.

    Raises:
        InvalidConfigError: The endpoint URL is not a plain http(s) URL.
    """
    if config.endpoint_url:
        # One parser decides both what is checked and what is connected to.
        return context.network.check_url(config.endpoint_url)
    return "https", f"s3.{config.region}.amazonaws.com", 443


def make_client(config: S3Config, secrets: S3Secrets, context: ConnectorContext) -> S3Client:
    """Check the endpoint against the guard, then build a client for it.

    boto3 signs the Host header and offers no hook to connect to an address we pinned, so
    the guard resolves and checks the endpoint's addresses right before the client is
    built. The window between this check and boto3's own lookup is the residual risk;
    operators who need more run the service behind an egress proxy.

    Raises:
        InvalidConfigError: The endpoint URL is not http(s).
        BlockedByPolicyError: The endpoint resolves to a refused address.
        ConnectionFailedError: The endpoint's name does not resolve.
    """
    _, host, port = endpoint_of(config, context)
    context.network.resolve_sync(host, port)
    boto_config = Config(
        region_name=config.region,
        connect_timeout=context.timeout,
        # Per socket read, not per body: long downloads are fine as long as bytes flow.
        read_timeout=context.timeout,
        retries={"max_attempts": 2, "mode": "standard"},
        # Path-style works with every S3-compatible store and keeps the host we checked.
        s3={"addressing_style": "path" if config.endpoint_url else "auto"},
        max_pool_connections=32,
        user_agent_extra="ingestion-agent",
    )
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=config.endpoint_url,
        aws_access_key_id=secrets.access_key_id,
        aws_secret_access_key=secrets.secret_access_key.get_secret_value(),
        config=boto_config,
        verify=True,
    )


_AUTH_CODES = {
    "InvalidAccessKeyId": (
        "The access key ID was not recognised. Check that it is copied whole and still active.",
        "access_key_id",
    ),
    "SignatureDoesNotMatch": (
        "The secret access key does not match the access key ID.",
        "secret_access_key",
    ),
    "InvalidToken": ("The credentials were rejected as invalid.", "secret_access_key"),
    "ExpiredToken": ("The credentials have expired.", "secret_access_key"),
    "InvalidSecurity": ("The credentials were rejected.", "secret_access_key"),
}
_DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "AccountProblem"})


def _client_error(  # noqa: PLR0911 - one return per family of S3 error codes
    exc: bex.ClientError, config: S3Config, action: str
) -> ConnectorError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if code in _AUTH_CODES:
        message, field = _AUTH_CODES[code]
        return AuthError(message, field=field)
    if code in _DENIED_CODES:
        return AuthError(
            f"The key is valid but is not allowed to {action} on {config.location}. "
            "Check the key's IAM policy.",
            failure=FailureClass.PERMISSION_DENIED,
            field="access_key_id",
        )
    if code == "NoSuchBucket":
        return NotFoundError(f"The bucket {config.bucket} does not exist.", field="bucket")
    if code in {"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraint"}:
        return InvalidConfigError(
            f"The bucket {config.bucket} is in another region than {config.region}.",
            field="region",
        )
    if code == "InvalidBucketName":
        return InvalidConfigError(f"{config.bucket} is not a valid bucket name.", field="bucket")
    if status >= 500 or code in {"SlowDown", "ServiceUnavailable", "InternalError"}:
        return ConnectorError(
            "The storage service had an internal error; try again in a moment.",
            failure=FailureClass.SERVER_ERROR,
        )
    return ConnectorError(f"The storage service refused the request ({code or status}).")


@contextmanager
def s3_errors(config: S3Config, action: str) -> Iterator[None]:
    """Translate botocore exceptions raised inside into classified connector errors.

    ``action`` names what was attempted, in words ("list objects", "write objects").
    """
    endpoint = config.endpoint_url or f"S3 in {config.region}"
    try:
        yield
    except ConnectorError:
        raise
    except bex.ClientError as exc:
        raise _client_error(exc, config, action) from exc
    except (bex.ConnectTimeoutError, bex.ReadTimeoutError) as exc:
        raise ConnectionFailedError(
            f"{endpoint} did not answer in time.",
            failure=FailureClass.TIMEOUT,
            field="endpoint_url",
        ) from exc
    except bex.SSLError as exc:
        raise ConnectionFailedError(
            f"The TLS certificate of {endpoint} could not be verified.",
            failure=FailureClass.TLS,
            field="endpoint_url",
        ) from exc
    except (bex.EndpointConnectionError, bex.ConnectionClosedError) as exc:
        raise ConnectionFailedError(
            f"Could not connect to {endpoint}. Check the endpoint URL and that the "
            "service is running.",
            field="endpoint_url",
        ) from exc
    except (bex.NoCredentialsError, bex.PartialCredentialsError) as exc:
        raise InvalidConfigError(
            "Both the access key ID and the secret access key are needed.",
            field="secret_access_key",
        ) from exc
    except bex.ParamValidationError as exc:
        raise InvalidConfigError("The S3 settings are not valid.") from exc
