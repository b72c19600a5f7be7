"""Keeps secrets out of text: secret-named keys and every registered secret value.

The log pipeline, error messages and transcripts all pass through :func:`redact_text` or
:func:`redact_mapping`. Values are registered the moment the process learns them (typed in
the chat, decrypted from the vault, read from configuration), together with the encoded
forms in which they tend to leak: base64, URL-encoding and JSON escaping. Registrations
are counted, so an owner that is done with a value (a test, a deleted session) can drop it
with :func:`unregister_secret` or :func:`registered_secrets` without unmasking it for
anyone else who registered it too.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "REDACTED",
    "SecretRegistry",
    "is_secret_key",
    "redact_mapping",
    "redact_text",
    "register_secret",
    "registered_secrets",
    "registry",
    "unregister_secret",
]

REDACTED = "***REDACTED***"

# Shorter values would redact innocent words, so they are not registered at all: a secret
# this short is not redacted from free text (only masked under a secret-named key).
_MIN_SECRET_LENGTH = 6

# Words that make a key secret wherever they appear in it (``db_password``, ``xAuthToken``).
_SECRET_WORDS = re.compile(
    r"secret|token|passw(or)?d|pass(phrase|code|key)|credential|signature|cookie|authorization|"
    r"auth_header"
)
# Keys that are secret only when they are the whole key: elsewhere they are common words
# or parts of ordinary names (``sig`` in ``sig_figs``, ``key`` in ``primary_key``).
_SECRET_EXACT = frozenset({"auth", "key", "sig", "pass"})
# Parts of a key that are secret wherever they stand as a whole part (``db_pwd``, ``sas_url``).
_SECRET_PARTS = frozenset({"pwd", "sas", "dsn", "apikey", "privatekey", "accesskey"})
# Qualifiers that make the part ``key`` after them secret (``signing_key``, ``vaultKey``);
# other qualifiers name ordinary keys (``primary_key``, ``object_key``, ``idempotency_key``),
# and ``..._key_id`` names a key without being one (``kms_key_id``).
_SECRET_KEY_QUALIFIERS = frozenset(
    {
        "access",
        "account",
        "api",
        "client",
        "decryption",
        "encryption",
        "hmac",
        "master",
        "private",
        "sas",
        "secret",
        "session",
        "shared",
        "signing",
        "vault",
    }
)
# Keys that match the rules above but hold references, masks or public identifiers
# (an AWS access key id names a key pair; only its secret key is secret).
_SAFE_KEYS = frozenset(
    {"secret_ref", "secretref", "mask", "token_type", "auth_mode", "access_key_id"}
)
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def _normalize(key: str) -> str:
    """``secretAccessKey``, ``X-Api-Key`` and ``db.password`` as snake_case."""
    return _SEPARATORS.sub("_", _CAMEL_BOUNDARY.sub("_", key).lower()).strip("_")


def is_secret_key(key: str) -> bool:
    """Whether a mapping key, header or query parameter names something never to be shown.

    Examples of secret keys: ``password``, ``db_pwd``, ``api_key``, ``X-Api-Key``,
    ``signing_key``, ``key``, ``sig``, ``sas_token``. Ordinary keys such as
    ``primary_key``, ``object_key``, ``keys``, ``error_code`` and ``bypass`` are not.
    """
    normalized = _normalize(key)
    if normalized in _SAFE_KEYS:
        return False
    if normalized in _SECRET_EXACT or _SECRET_WORDS.search(normalized):
        return True
    parts = normalized.split("_")
    if _SECRET_PARTS.intersection(parts) or parts[-1] == "pass":
        return True
    padded = ["", *parts, ""]
    return any(
        padded[i] == "key" and padded[i - 1] in _SECRET_KEY_QUALIFIERS and padded[i + 1] != "id"
        for i in range(2, len(padded) - 1)
    )


def _variants(value: str) -> set[str]:
    raw = value.encode()
    forms = {
        value,
        quote(value, safe=""),
        quote_plus(value, safe=""),
        json.dumps(value)[1:-1],
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
    }
    return {f for f in forms if len(f) >= _MIN_SECRET_LENGTH}


class SecretRegistry:
    """A thread-safe set of secret values, compiled into one regular expression.

    Registrations are counted: a value stays redacted until it has been unregistered as
    often as it was registered, so one owner letting go never unmasks another's secret.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._pattern: re.Pattern[str] | None = None

    def register(self, value: str) -> None:
        """Remember ``value`` (and its encodings) so it is redacted from now on."""
        if len(value) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            known = value in self._counts
            self._counts[value] = self._counts.get(value, 0) + 1
            if not known:
                self._compile()

    def unregister(self, value: str) -> None:
        """Drop one registration of ``value``; it is no longer redacted once none is left."""
        with self._lock:
            count = self._counts.get(value)
            if count is None:
                return
            if count > 1:
                self._counts[value] = count - 1
                return
            del self._counts[value]
            self._compile()

    def _compile(self) -> None:
        forms = {form for value in self._counts for form in _variants(value)}
        # Longest first, so a value is replaced whole before any of its substrings.
        ordered = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    def redact(self, text: str) -> str:
        """Replace every registered value found in ``text``."""
        pattern = self._pattern
        if pattern is None:
            return text
        return pattern.sub(REDACTED, text)

    def snapshot(self) -> dict[str, int]:
        """The registered values and their counts (for tests that restore them)."""
        with self._lock:
            return dict(self._counts)

    def restore(self, snapshot: dict[str, int]) -> None:
        """Register exactly the values of an earlier :meth:`snapshot` (for tests)."""
        with self._lock:
            self._counts = dict(snapshot)
            self._compile()

    def clear(self) -> None:
        """Forget every value, whoever registered it (for tests; prefer ``unregister``)."""
        with self._lock:
            self._counts.clear()
            self._pattern = None


registry = SecretRegistry()


def register_secret(value: str) -> None:
    """Register ``value`` in the process-wide registry."""
    registry.register(value)


def unregister_secret(value: str) -> None:
    """Drop one registration of ``value`` from the process-wide registry."""
    registry.unregister(value)


@contextmanager
def registered_secrets(*values: str) -> Iterator[None]:
    """Keep ``values`` registered for the duration of the block, then drop them again."""
    for value in values:
        register_secret(value)
    try:
        yield
    finally:
        for value in values:
            unregister_secret(value)


def redact_text(text: str) -> str:
    """Redact registered secret values from ``text``."""
    return registry.redact(text)


def redact_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """Copy ``data`` with secret-named keys masked and registered values redacted, deeply."""
    return {k: REDACTED if is_secret_key(str(k)) else _redact_value(v) for k, v in data.items()}


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return redact_mapping(value)
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value
