"""Listing and downloading S3 objects with plain signed requests, for pulls of many objects.

boto3 runs every request through botocore's whole pipeline (parameter validation, event
hooks, endpoint rules, a general XML parser), which costs about 2 ms of CPU per
``get_object`` and about 80 µs per listed key: with thousands of objects, CPU is what limits
a pull. Here each request is signed with botocore's own SigV4 signer (credentials go in the
``Authorization`` header, never in the URL) and sent on a urllib3 connection pool, and a
listing page is read with ElementTree: about a third of the CPU for downloads, a fifth for
listings. What is listed follows :func:`connectors.s3.listing.list_files`
(:func:`~connectors.s3.listing.is_data_file`).

Errors are classified exactly as the S3 connector classifies them: a refusal is turned
into botocore's ``ClientError`` and translated by :func:`connectors.s3.client.s3_errors`,
as are broken connections; :func:`~connectors.s3.client.unavailable` tells which refusals
(``NoSuchKey``, or ``412 Precondition Failed``: the object was rewritten since it was
listed, ``If-Match`` its ETag) are not errors of the pull.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote_plus, urlsplit
from xml.etree import ElementTree

import botocore.exceptions as bex
import urllib3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.httpsession import get_cert_path

from connectors.base import ConnectorContext
from connectors.errors import DataFormatError
from connectors.files import Unavailable
from connectors.results import FileInfo
from connectors.s3.client import endpoint_of, s3_errors, unavailable
from connectors.s3.config import S3Config, S3Secrets
from connectors.s3.listing import is_data_file

__all__ = ["BucketReader"]

_ERROR_BODY = 64 * 1024
# A page of 1,000 keys of the longest (1,024 bytes) is about 1.5 MB.
_MAX_PAGE = 16 << 20
_CODE = re.compile(rb"<Code>([^<]{1,200})</Code>")
_RETRY = urllib3.Retry(
    total=2,
    connect=2,
    read=0,
    status=1,
    redirect=0,
    status_forcelist=(500, 502, 503, 504),
    allowed_methods=frozenset({"GET"}),
    backoff_factor=0.2,
    raise_on_status=False,
    respect_retry_after_header=True,
)


class BucketReader:
    """Lists and GETs objects of one bucket; thread-safe (one pool, ``size`` connections).

    Args:
        config: The source's bucket, endpoint and region.
        secrets: Its key pair.
        context: The guard and the timeout.
        size: Connections kept open (the pull's concurrency).

    Raises:
        ConnectorError: The endpoint is refused by the guard or does not resolve.
    """

    def __init__(
        self, config: S3Config, secrets: S3Secrets, context: ConnectorContext, size: int
    ) -> None:
        self._config = config
        self._base = self._base_url(config, context)
        self._signer = S3SigV4Auth(
            Credentials(secrets.access_key_id, secrets.secret_access_key.get_secret_value()),
            "s3",
            config.region,
        )
        self._pool = urllib3.PoolManager(
            num_pools=2,
            maxsize=size,
            retries=_RETRY,
            timeout=urllib3.Timeout(connect=context.timeout, read=context.timeout),
            cert_reqs="CERT_REQUIRED",
            ca_certs=get_cert_path(verify=True),
        )

    @staticmethod
    def _base_url(config: S3Config, context: ConnectorContext) -> str:
        """Where the bucket's objects are: path style on a custom endpoint, else AWS's."""
        if config.endpoint_url:
            with s3_errors(config, "reach the endpoint"):
                _, host, port = endpoint_of(config, context)
                context.network.resolve_sync(host, port)
            return f"{config.endpoint_url.rstrip('/')}/{quote(config.bucket)}"
        if "." in config.bucket:
            # A dotted name breaks the *.s3 wildcard certificate: path style, like boto3.
            host = f"s3.{config.region}.amazonaws.com"
            base = f"https://{host}/{quote(config.bucket)}"
        else:
            host = f"{config.bucket}.s3.{config.region}.amazonaws.com"
            base = f"https://{host}"
        # The name is checked right before connecting, as for boto3 (which cannot be told
        # to connect to an address we pinned); urllib3 resolves it once more.
        context.network.resolve_sync(host, 443)
        return base

    def _send(
        self, url: str, action: str, headers: dict[str, str]
    ) -> urllib3.BaseHTTPResponse | Unavailable:
        """Sign and send a GET: the response when it is a 200, else why there is none.

        Raises:
            ConnectorError: Classified, as the S3 connector classifies them.
        """
        request = AWSRequest(method="GET", url=url, headers=headers)
        self._signer.add_auth(request)
        with s3_errors(self._config, action), _as_botocore(url):
            response = self._pool.request(
                "GET",
                url,
                headers=dict(request.headers.items()),
                preload_content=False,
                decode_content=False,
                redirect=False,
            )
            if response.status == 200:
                return response
            body = response.read(_ERROR_BODY)
            response.release_conn()
            match = _CODE.search(body)
            code = match.group(1).decode("utf-8", "replace") if match else str(response.status)
            gone = unavailable(code, response.status)
            if gone is None:
                raise bex.ClientError(_error(code, response.status), "GetObject")
            return gone

    def list_files(self) -> Iterator[FileInfo]:
        """Every object under the prefix in the configured format, page after page.

        Folder markers (keys ending in ``/``) and files of other formats are left out.

        Raises:
            ConnectorError: Classified listing failures.
        """
        token: str | None = None
        while True:
            params = [("list-type", "2"), ("prefix", self._config.prefix), ("encoding-type", "url")]
            if token:
                params.append(("continuation-token", token))
            query = "&".join(f"{k}={quote(v, safe='-_.~')}" for k, v in sorted(params))
            response = self._send(f"{self._base}/?{query}", "list objects", {})
            if isinstance(response, Unavailable):  # only GETs of objects answer so
                raise DataFormatError("The storage service answered the listing strangely.")
            with s3_errors(self._config, "list objects"), _as_botocore(self._base):
                body = response.read(_MAX_PAGE + 1)
                response.release_conn()
            if len(body) > _MAX_PAGE:
                raise DataFormatError("The storage service answered a listing page too large.")
            page = _parse_page(body, self._config)
            yield from page.files
            if not page.next_token:
                return
            token = page.next_token

    def close(self) -> None:
        """Close the pooled connections."""
        self._pool.clear()

    def open(self, file: FileInfo) -> urllib3.BaseHTTPResponse | Unavailable:
        """Start downloading ``file`` as it was listed (``If-Match`` its ETag).

        Returns:
            The response (read it with :meth:`read_into`, then ``release_conn``), or why
            the object is not there to read.

        Raises:
            ConnectorError: Classified, as the S3 connector classifies them.
        """
        url = f"{self._base}/{quote(file.key, safe='/~')}"
        headers = {"If-Match": f'"{file.etag}"'} if file.etag else {}
        return self._send(url, f"read {file.key}", headers)

    def read_into(self, response: urllib3.BaseHTTPResponse, key: str, buffer: Any) -> int:
        """Read the next bytes of a body into ``buffer``; 0 at its end.

        Raises:
            ConnectionFailedError: The connection broke off or stalled.
        """
        with s3_errors(self._config, f"read {key}"), _as_botocore(self._base):
            return int(response.readinto(buffer))


@contextmanager
def _as_botocore(url: str) -> Iterator[None]:
    """urllib3's connection failures as the botocore ones ``s3_errors`` explains best."""
    endpoint = urlsplit(url)._replace(path="", query="").geturl()
    try:
        yield
    except urllib3.exceptions.MaxRetryError as exc:
        reason = exc.reason
        # NewConnectionError is a kind of ConnectTimeoutError in urllib3: ask it first.
        if isinstance(reason, urllib3.exceptions.NewConnectionError | ConnectionError):
            raise bex.EndpointConnectionError(endpoint_url=endpoint) from exc
        if isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
            raise bex.ConnectTimeoutError(endpoint_url=endpoint) from exc
        if isinstance(reason, urllib3.exceptions.SSLError):
            raise bex.SSLError(endpoint_url=endpoint, error=reason) from exc
        raise
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise bex.ReadTimeoutError(endpoint_url=endpoint) from exc
    except urllib3.exceptions.SSLError as exc:
        raise bex.SSLError(endpoint_url=endpoint, error=exc) from exc


@dataclass(frozen=True)
class _Page:
    files: list[FileInfo]
    next_token: str | None


def _parse_page(body: bytes, config: S3Config) -> _Page:
    """One ``ListObjectsV2`` answer (``encoding-type=url``).

    Raises:
        DataFormatError: The answer is not a listing.
    """
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - expat refuses entity bombs
    except ElementTree.ParseError as exc:
        raise DataFormatError("The storage service answered a listing that is not XML.") from exc
    namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    files: list[FileInfo] = []
    for item in root.iterfind(f"{namespace}Contents"):
        key = unquote_plus(item.findtext(f"{namespace}Key") or "")
        if not key or not is_data_file(key, config):
            continue
        stamp = item.findtext(f"{namespace}LastModified") or ""
        try:
            modified = datetime.fromisoformat(stamp).astimezone(UTC)
            size = int(item.findtext(f"{namespace}Size") or 0)
        except ValueError as exc:
            raise DataFormatError(f"The listing's entry for {key} is malformed.") from exc
        etag = (item.findtext(f"{namespace}ETag") or "").strip('"')
        files.append(
            FileInfo.model_construct(key=key, size=size, etag=etag, last_modified=modified)
        )
    truncated = (root.findtext(f"{namespace}IsTruncated") or "").strip().lower() == "true"
    token = root.findtext(f"{namespace}NextContinuationToken") if truncated else None
    return _Page(files=files, next_token=token or None)


def _error(code: str, status: int) -> Any:
    """The error in botocore's shape, so the connector's translation applies unchanged."""
    return {"Error": {"Code": code, "Message": ""}, "ResponseMetadata": {"HTTPStatusCode": status}}
