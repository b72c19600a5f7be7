"""The secret vault: AES-256-GCM at rest, bound to tenant and id, with masks and key rotation.

Modules: :mod:`~connections.vault.keys` (master keys and the key file),
:mod:`~connections.vault.cipher` (encryption with associated data),
:mod:`~connections.vault.masks` (what people see), :mod:`~connections.vault.vault` (the
:class:`Vault` over the ``secrets`` table) and :mod:`~connections.vault.errors`.
"""

from __future__ import annotations

from connections.vault.errors import VaultError
from connections.vault.keys import ENV_VAR, KEY_FILE_NAME, Keyring, generate_key, key_id
from connections.vault.masks import MASK_PREFIX, is_mask, mask_secret
from connections.vault.vault import RotationReport, Vault

__all__ = [
    "ENV_VAR",
    "KEY_FILE_NAME",
    "MASK_PREFIX",
    "Keyring",
    "RotationReport",
    "Vault",
    "VaultError",
    "generate_key",
    "is_mask",
    "key_id",
    "mask_secret",
]
