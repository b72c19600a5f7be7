"""The vault's master keys: loading, creating and rewriting them.

Keys come from ``INGESTION_AGENT_VAULT_KEY`` (comma-separated) or from ``<data_dir>/vault.key``
(one per line), urlsafe-base64 encoded 32-byte AES keys, the first one active. Older keys
stay listed until an operator retires them (``ingestion-agent vault retire``), which is what
makes rotation possible. A key is known by its id, the first 16 hex characters of its
SHA-256, which ciphertext rows record; the id reveals nothing usable about the key, and its
entry number in the variable or the file says which key it is.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from connections.vault.errors import VaultError

__all__ = [
    "ENV_VAR",
    "KEY_BYTES",
    "KEY_FILE_NAME",
    "Keyring",
    "encode_key",
    "generate_key",
    "key_id",
    "write_key_file",
]

ENV_VAR = "INGESTION_AGENT_VAULT_KEY"
KEY_FILE_NAME = "vault.key"
KEY_BYTES = 32
_ID_HEX = 16
_SEPARATORS = re.compile(r"[,\s]+")


def generate_key() -> bytes:
    """A fresh random 32-byte key."""
    return os.urandom(KEY_BYTES)


def key_id(key: bytes) -> str:
    """The public id of ``key``: the first 16 hex characters of its SHA-256."""
    return hashlib.sha256(key).hexdigest()[:_ID_HEX]


def encode_key(key: bytes) -> str:
    """``key`` as urlsafe base64, the form the env var and the key file hold."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def _decode_keys(text: str, *, where: str) -> list[bytes]:
    keys: list[bytes] = []
    for position, entry in enumerate((e for e in _SEPARATORS.split(text) if e), start=1):
        padded = entry + "=" * (-len(entry) % 4)
        try:
            key = base64.b64decode(padded, altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            # Without `from exc` and without the entry: the text being parsed is key material.
            raise VaultError(
                f"{where}: key {position} is not a urlsafe-base64 encoded {KEY_BYTES}-byte key"
            ) from None
        # Duplicates are kept: the keyring drops them but counts entries as they were written.
        keys.append(key)
    if not keys:
        raise VaultError(f"{where} holds no key")
    return keys


def write_key_file(path: Path, keys: Sequence[bytes]) -> None:
    """Replace the key file atomically with ``keys``, one per line, readable by the owner only.

    The keys go to a temporary file with mode 0600 in the same directory, are flushed to
    disk, and the file then replaces ``path`` in one step, so a crash leaves either the old
    file or the new one, never half of one.

    Args:
        path: The key file.
        keys: The keys, the active one first.
    """
    content = "".join(f"{encode_key(k)}\n" for k in keys).encode("ascii")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file with mode 0600 whatever the umask is.
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk too.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_key_file(path: Path) -> None:
    """Create ``path`` with one fresh key unless it exists (another process may race us)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(f"{encode_key(generate_key())}\n".encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
        # A hard link appears complete or not at all and refuses to overwrite, so two
        # processes starting together agree on one key file.
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        temp.unlink()
    _fsync_directory(path.parent)


def _read_key_file(path: Path) -> list[bytes]:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise VaultError(
            f"vault key file {path} is accessible to group or others "
            f"(mode {stat.S_IMODE(mode):04o}); run `chmod 600 {path}` and start again"
        )
    return _decode_keys(path.read_text(encoding="ascii"), where=f"vault key file {path}")


class Keyring:
    """An ordered set of master keys; the first one encrypts, any of them decrypts.

    Keyrings are immutable: rotation builds a new one. Their ``repr`` shows ids only.
    """

    def __init__(self, keys: Iterable[bytes], *, path: Path | None = None) -> None:
        """Build a keyring from raw keys.

        Args:
            keys: 32-byte keys, the active one first; duplicates are dropped.
            path: The key file they were read from, if any (rotation rewrites it).

        Raises:
            VaultError: No keys, or a key that is not 32 bytes long.
        """
        by_id: dict[str, bytes] = {}
        entries: dict[str, int] = {}
        for position, key in enumerate(keys, start=1):
            if len(key) != KEY_BYTES:
                raise VaultError(f"key {position} is not {KEY_BYTES} bytes long")
            by_id.setdefault(key_id(key), key)
            entries.setdefault(key_id(key), position)
        if not by_id:
            raise VaultError("a keyring needs at least one key")
        self._keys = by_id
        self._entries = entries
        self._path = path

    @classmethod
    def load(cls, *, data_dir: Path, env_value: str | None, create: bool = True) -> Keyring:
        """The keyring from the environment, else from ``<data_dir>/vault.key``.

        Args:
            data_dir: The data directory; created, with a new key file, if missing.
            env_value: The value of ``INGESTION_AGENT_VAULT_KEY``; unset or blank means
                the key file is used.
            create: Whether a missing key file is created; commands that only look at the
                keys pass False.

        Returns:
            The keyring; its ``path`` is the key file when the keys came from it.

        Raises:
            VaultError: A malformed key, a key file that group or others can access, or
                (with ``create`` False) no key file.
        """
        if env_value is not None and env_value.strip():
            return cls(_decode_keys(env_value, where=ENV_VAR))
        path = data_dir / KEY_FILE_NAME
        if not path.exists():
            if not create:
                raise VaultError(
                    f"no vault key: {ENV_VAR} is not set and {path} does not exist "
                    "(`ingestion-agent serve` creates it on first start)"
                )
            _create_key_file(path)
        return cls.from_file(path)

    @classmethod
    def from_file(cls, path: Path) -> Keyring:
        """The keyring in the key file ``path``.

        Raises:
            VaultError: A malformed key, or a key file that group or others can access.
            OSError: The file cannot be read.
        """
        return cls(_read_key_file(path), path=path)

    @property
    def active_id(self) -> str:
        """The id of the key new ciphertext is made with."""
        return next(iter(self._keys))

    @property
    def active_key(self) -> bytes:
        """The key new ciphertext is made with."""
        return self._keys[self.active_id]

    @property
    def path(self) -> Path | None:
        """The key file these keys came from, or None when they came from the environment."""
        return self._path

    def key(self, key_id: str) -> bytes:
        """The key with id ``key_id``.

        Raises:
            VaultError: No such key in this keyring.
        """
        try:
            return self._keys[key_id]
        except KeyError:
            raise VaultError(f"vault key {key_id} is not in the keyring") from None

    def ids(self) -> tuple[str, ...]:
        """The key ids, the active one first."""
        return tuple(self._keys)

    def location(self, key_id: str) -> str:
        """Where the key ``key_id`` is configured, e.g. ``INGESTION_AGENT_VAULT_KEY entry 2``.

        The entry counts keys as they are written, the first one 1, so an operator can tell
        which key of the variable or the file an id stands for.

        Raises:
            VaultError: No such key in this keyring.
        """
        self.key(key_id)
        origin = str(self._path) if self._path else ENV_VAR
        return f"{origin} entry {self._entries[key_id]}"

    def with_active(self, key: bytes) -> Keyring:
        """A keyring in which ``key`` is active and the current keys still decrypt."""
        return Keyring([key, *self._keys.values()], path=self._path)

    def without(self, key_id: str) -> Keyring:
        """A keyring without the key ``key_id``.

        Raises:
            VaultError: ``key_id`` is the active key, or not in this keyring.
        """
        self.key(key_id)
        if key_id == self.active_id:
            raise VaultError(f"vault key {key_id} is the active key and cannot be removed")
        return Keyring([k for i, k in self._keys.items() if i != key_id], path=self._path)

    def keys(self) -> tuple[bytes, ...]:
        """The raw keys, the active one first (for writing the key file)."""
        return tuple(self._keys.values())

    def __repr__(self) -> str:
        """Ids and origin only; never key material."""
        origin = str(self._path) if self._path else ENV_VAR
        return f"Keyring(active_id={self.active_id!r}, ids={self.ids()!r}, origin={origin!r})"
