"""The secret vault: AES-256-GCM at rest, bound to tenant and id, with masks and key rotation.

Modules: :mod:`~connections.vault.keys` (master keys and the key file),
:mod:`~connections.vault.live` (a running process following its key file),
:mod:`~connections.vault.cipher` (encryption with associated data),
:mod:`~connections.vault.masks` (what people see), :mod:`~connections.vault.vault` (the
:class:`Vault` over the ``secrets`` table), :mod:`~connections.vault.rotation` (rotating,
listing and retiring keys) and :mod:`~connections.vault.errors`.
"""

from __future__ import annotations

from connections.vault.errors import VaultError
from connections.vault.keys import (
    ENV_VAR,
    KEY_FILE_NAME,
    Keyring,
    encode_key,
    generate_key,
    key_id,
)
from connections.vault.live import LiveKeyring
from connections.vault.masks import MASK_PREFIX, is_mask, mask_secret
from connections.vault.rotation import (
    KeyStatus,
    RetireReport,
    RotationReport,
    key_statuses,
    key_usage,
    retire,
    rotate,
)
from connections.vault.vault import Vault

__all__ = [
    "ENV_VAR",
    "KEY_FILE_NAME",
    "MASK_PREFIX",
    "KeyStatus",
    "Keyring",
    "LiveKeyring",
    "RetireReport",
    "RotationReport",
    "Vault",
    "VaultError",
    "encode_key",
    "generate_key",
    "is_mask",
    "key_id",
    "key_statuses",
    "key_usage",
    "mask_secret",
    "retire",
    "rotate",
]
