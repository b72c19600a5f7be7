"""Which mapping keys, headers and query parameters name something never to be shown."""

from __future__ import annotations

import re

__all__ = ["is_secret_key"]

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
