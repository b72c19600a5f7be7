"""Keeps secrets out of text: secret-named keys and every registered secret value.

The log pipeline, error messages and transcripts all pass through :func:`redact_text` or
:func:`redact_mapping`. Values are registered the moment the process learns them (typed in
the chat, decrypted from the vault, read from configuration), together with the encoded
forms in which they tend to leak: base64, URL-encoding and JSON escaping.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "REDACTED",
    "SecretRegistry",
    "is_secret_key",
    "redact_mapping",
    "redact_text",
    "register_secret",
    "registry",
]

REDACTED = "***REDACTED***"

# Short values would redact innocent words; a secret this short is refused elsewhere.
_MIN_SECRET_LENGTH = 6

_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|authorization|auth_header|^auth$|credential|"
    r"private[_-]?key|access[_-]?key|signature|cookie|dsn)",
    re.IGNORECASE,
)
# Keys that match the pattern above but hold references, masks or public identifiers
# (an AWS access key id names a key pair; only its secret key is secret).
_SAFE_KEYS = frozenset(
    {"secretref", "secret_ref", "mask", "token_type", "auth_mode", "access_key_id", "accesskeyid"}
)


def is_secret_key(key: str) -> bool:
    """Whether a mapping key names something that must never be shown."""
    normalized = key.lower()
    return normalized not in _SAFE_KEYS and bool(_SECRET_KEY.search(normalized))


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
    """A thread-safe set of secret values, compiled into one regular expression."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def register(self, value: str) -> None:
        """Remember ``value`` (and its encodings) so it is redacted from now on."""
        if len(value) < _MIN_SECRET_LENGTH:
            return
        forms = _variants(value)
        with self._lock:
            if forms <= self._values:
                return
            self._values |= forms
            # Longest first, so a value is replaced whole before any of its substrings.
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def redact(self, text: str) -> str:
        """Replace every registered value found in ``text``."""
        pattern = self._pattern
        if pattern is None:
            return text
        return pattern.sub(REDACTED, text)

    def clear(self) -> None:
        """Forget every value (for tests)."""
        with self._lock:
            self._values.clear()
            self._pattern = None


registry = SecretRegistry()


def register_secret(value: str) -> None:
    """Register ``value`` in the process-wide registry."""
    registry.register(value)


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
