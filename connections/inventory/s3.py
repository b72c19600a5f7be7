"""The inventory store in an S3 bucket, for many processes on many machines.

Layout: ``s3://<bucket>/<prefix>/<tenant>/<upload id>/<name>``. The bucket is the
operator's own (configured by ``INGESTION_AGENT_INVENTORY_*`` settings), not a customer's,
so it is not subject to the connection guard. Files are uploaded from disk and downloaded
to disk by boto3's transfer manager: multipart, in parts, never whole in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import tempfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

import boto3
import botocore.exceptions as bex
from boto3.exceptions import S3TransferFailedError, S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from pydantic import SecretStr

from connections.inventory.store import (
    InventoryError,
    InventoryLocationError,
    InventoryMissingError,
    safe_name,
    safe_segment,
)

if TYPE_CHECKING:
    # boto3-stubs comes with the dev extras only: the type exists for mypy, not at run time.
    from mypy_boto3_s3 import S3Client

__all__ = ["S3InventoryConfig", "S3InventoryStore"]

T = TypeVar("T")
_THREADS = 16
_TRANSFER = TransferConfig(
    multipart_threshold=64 << 20, multipart_chunksize=16 << 20, max_concurrency=4
)


@dataclass(frozen=True)
class S3InventoryConfig:
    """Where the inventory bucket is and how to reach it.

    Attributes:
        bucket: The bucket.
        prefix: Key prefix of every inventory file (may be empty).
        endpoint_url: An S3-compatible endpoint; None for AWS.
        region: The bucket's region.
        access_key_id: With ``secret_access_key``; None uses boto3's default chain (an
            instance role, say).
        secret_access_key: The secret half of the key pair.
    """

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: SecretStr | None = None

    @classmethod
    def from_url(cls, url: str, **kwargs: object) -> S3InventoryConfig:
        """From ``s3://bucket/prefix`` plus the other attributes.

        Raises:
            ValueError: ``url`` is not ``s3://bucket[/prefix]``.
        """
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
            raise ValueError("the inventory URL must look like s3://bucket/prefix")
        return cls(bucket=parts.netloc, prefix=parts.path.strip("/"), **kwargs)  # type: ignore[arg-type]


class S3InventoryStore:
    """Inventory files in an S3 bucket.

    Args:
        config: The bucket and credentials.
        client: A ready client (tests); by default one is built from ``config``.
        scratch_dir: Where :meth:`open` downloads files; default the system's temp folder.
    """

    def __init__(
        self,
        config: S3InventoryConfig,
        *,
        client: S3Client | None = None,
        scratch_dir: Path | None = None,
    ) -> None:
        self.config = config
        self._client = client or _make_client(config)
        self._scratch = scratch_dir
        # Transfers hold a thread for their whole duration: they get threads of their own
        # rather than the event loop's small default pool.
        self._pool = ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="ia-inventory")

    def __repr__(self) -> str:
        return f"S3InventoryStore(s3://{self.config.bucket}/{self.config.prefix})"

    def _key(self, tenant_id: str, upload_id: str, name: str) -> str:
        parts = [safe_segment(tenant_id), safe_segment(upload_id), safe_name(name)]
        if self.config.prefix:
            parts.insert(0, self.config.prefix)
        return "/".join(parts)

    def location_of(self, tenant_id: str, upload_id: str, name: str) -> str:
        """``s3://bucket/prefix/tenant/upload/name``."""
        return f"s3://{self.config.bucket}/{self._key(tenant_id, upload_id, name)}"

    def _split(self, location: str) -> str:
        prefix = f"s3://{self.config.bucket}/"
        key = location.removeprefix(prefix)
        if (
            key == location
            or not key
            or (self.config.prefix and not key.startswith(f"{self.config.prefix}/"))
        ):
            raise InventoryLocationError(f"{location} is not in the inventory at {self!r}.")
        return key

    @staticmethod
    def _translated(action: str, location: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except bex.ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"404", "NoSuchKey", "NotFound"}:
                raise InventoryMissingError(f"The inventory file {location} is missing.") from exc
            raise InventoryError(
                f"The inventory bucket refused to {action} {location} ({code or 'error'})."
            ) from exc
        except (bex.BotoCoreError, S3UploadFailedError, S3TransferFailedError, OSError) as exc:
            raise InventoryError(f"Could not {action} {location} in the inventory bucket.") from exc

    async def _run(self, action: str, location: str, call: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, functools.partial(self._translated, action, location, call)
        )

    def put_file_blocking(self, tenant_id: str, upload_id: str, name: str, src: Path) -> str:
        """:meth:`put_file` on the caller's thread."""
        key = self._key(tenant_id, upload_id, name)
        location = f"s3://{self.config.bucket}/{key}"
        self._translated(
            "store",
            location,
            lambda: self._client.upload_file(str(src), self.config.bucket, key, Config=_TRANSFER),
        )
        return location

    async def put_file(self, tenant_id: str, upload_id: str, name: str, src: Path) -> str:
        """Upload ``src`` (multipart when large); return its ``s3://`` location."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool,
            functools.partial(self.put_file_blocking, tenant_id, upload_id, name, src),
        )

    @asynccontextmanager
    async def open(self, location: str) -> AsyncIterator[Path]:
        """Download to a temporary file, yield its path, remove it afterwards."""
        key = self._split(location)
        folder = await asyncio.to_thread(self._temporary_folder)
        path = Path(folder) / safe_name(key.rsplit("/", 1)[-1])
        try:
            await self._run(
                "read",
                location,
                lambda: self._client.download_file(
                    self.config.bucket, key, str(path), Config=_TRANSFER
                ),
            )
            yield path
        finally:
            await asyncio.to_thread(_remove_tree, Path(folder))

    def _temporary_folder(self) -> str:
        if self._scratch is not None:
            self._scratch.mkdir(parents=True, exist_ok=True)
        return tempfile.mkdtemp(prefix="ia-inventory-", dir=self._scratch)

    async def delete(self, location: str) -> None:
        """Delete the object (S3 answers a missing key with success too)."""
        key = self._split(location)
        await self._run(
            "delete",
            location,
            lambda: self._client.delete_object(Bucket=self.config.bucket, Key=key),
        )

    async def aclose(self) -> None:
        """Stop the transfer threads."""
        await asyncio.to_thread(self._pool.shutdown, wait=True)


def _remove_tree(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _make_client(config: S3InventoryConfig) -> S3Client:
    secret = config.secret_access_key.get_secret_value() if config.secret_access_key else None
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config.endpoint_url,
        region_name=config.region,
        aws_access_key_id=config.access_key_id,
        aws_secret_access_key=secret,
        config=Config(
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": "path" if config.endpoint_url else "auto"},
            max_pool_connections=_THREADS * 2,
        ),
    )
