"""The keyring a running process uses, following its key file without a restart.

A ``serve`` or ``worker`` process loads its keys once at start. When another process (the
``ingestion-agent vault`` command) rewrites the key file, this process must see the change:
it has to read secrets re-encrypted under the new key, and write new ones under it rather
than under a key an operator is about to retire. So the key file's identity (device, inode,
modification and change times, size) is compared on every use, one ``stat`` call, and the file is
read again when it differs; a key id the keyring does not know also forces a fresh read, in
case a change landed within the file system's timestamp granularity.

Keys from ``INGESTION_AGENT_VAULT_KEY`` cannot follow: a process cannot see a change to
another process's environment. Those processes need a restart, and the vault commands say so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import structlog

from connections.vault.errors import VaultError
from connections.vault.keys import Keyring

__all__ = ["LiveKeyring"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class _FileStamp:
    """What changes when a key file is replaced or edited in place."""

    device: int
    inode: int
    mtime_ns: int
    ctime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> _FileStamp | None:
        try:
            # One syscall; the atomic rename of write_key_file always changes the inode.
            stat = path.stat()
        except OSError:
            return None
        # The change time moves with a chmod too, which may make the file unusable.
        return cls(stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)


class LiveKeyring:
    """Holds a process's current :class:`Keyring` and re-reads its key file when it changes.

    A keyring from the environment never changes. A key file that has become unreadable,
    malformed or too permissive is logged (``vault_key_file_unusable``, naming the file, never
    a key) and the keys already loaded stay in use, so a bad edit cannot stop a running
    service.

    Args:
        keyring: The keys loaded at start.
        key_file: The file to follow; defaults to the file ``keyring`` was read from.
    """

    def __init__(self, keyring: Keyring, *, key_file: Path | None = None) -> None:
        self._keyring = keyring
        self._path = key_file if key_file is not None else keyring.path
        self._stamp = _FileStamp.of(self._path) if self._path is not None else None

    @property
    def key_file(self) -> Path | None:
        """The key file followed, or None for keys from the environment."""
        return self._path

    def current(self) -> Keyring:
        """The keyring, read again first if the key file changed since the last read."""
        if self._path is not None and _FileStamp.of(self._path) != self._stamp:
            self._reload(self._path)
        return self._keyring

    def refresh(self) -> Keyring:
        """The keyring read again from the key file now, whether it seems changed or not."""
        if self._path is not None:
            self._reload(self._path)
        return self._keyring

    def replace(self, keyring: Keyring) -> None:
        """Use ``keyring`` from now on: this process has just written it to the key file."""
        self._keyring = keyring
        if self._path is not None:
            self._stamp = _FileStamp.of(self._path)

    def _reload(self, path: Path) -> None:
        stamp = _FileStamp.of(path)
        try:
            keyring = Keyring.from_file(path)
        except (VaultError, OSError) as exc:
            reason = exc.message if isinstance(exc, VaultError) else os.strerror(exc.errno or 0)
            log.warning("vault_key_file_unusable", key_file=str(path), reason=reason)
            # Remember the stamp so a broken file is reported once, not on every use.
            self._stamp = stamp
            return
        changed = keyring.ids() != self._keyring.ids()
        self._keyring = keyring
        self._stamp = stamp
        if changed:
            log.info(
                "vault_keys_reloaded",
                key_file=str(path),
                active_key_id=keyring.active_id,
                key_ids=list(keyring.ids()),
            )
