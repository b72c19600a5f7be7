"""The inventory store: where pulled files and table extracts (``inv_…`` uploads) live.

A local directory by default (:class:`LocalInventoryStore`, ``<data dir>/inventory``), an
S3 bucket when ``INGESTION_AGENT_INVENTORY_URL=s3://bucket/prefix`` is set
(:class:`S3InventoryStore`). Both follow :class:`InventoryStore`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from connections.inventory.local import LocalInventoryStore
from connections.inventory.s3 import S3InventoryConfig, S3InventoryStore
from connections.inventory.store import (
    InventoryError,
    InventoryLocationError,
    InventoryMissingError,
    InventoryStore,
    safe_name,
    safe_segment,
)

__all__ = [
    "InventoryError",
    "InventoryLocationError",
    "InventoryMissingError",
    "InventoryStore",
    "LocalInventoryStore",
    "S3InventoryConfig",
    "S3InventoryStore",
    "open_inventory_store",
    "safe_name",
    "safe_segment",
]


def open_inventory_store(
    *,
    data_dir: Path,
    url: str | None = None,
    endpoint_url: str | None = None,
    region: str = "us-east-1",
    access_key_id: str | None = None,
    secret_access_key: SecretStr | None = None,
) -> InventoryStore:
    """The store the settings ask for: ``url`` ``s3://bucket/prefix``, else a local folder.

    Raises:
        ValueError: ``url`` is set but is not an ``s3://`` URL.
    """
    if not url:
        return LocalInventoryStore(data_dir / "inventory")
    config = S3InventoryConfig.from_url(
        url,
        endpoint_url=endpoint_url or None,
        region=region,
        access_key_id=access_key_id or None,
        secret_access_key=secret_access_key,
    )
    return S3InventoryStore(config, scratch_dir=data_dir / "tmp")
