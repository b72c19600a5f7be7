"""Recognizing a secret by its shape, when it was pasted at the wrong prompt.

Specific shapes come first (an AWS secret access key, a ``whsec_`` signing secret, an
``Authorization`` value); a generic test catches long random-looking tokens and the
prefixes of well-known API keys. This is a safety net, not a guarantee: a password that
looks like an ordinary word cannot be told apart from one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from agent.parsing.protocols import FieldLike

__all__ = ["looks_like_secret", "secret_field_for"]

_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("secret_access_key", re.compile(r"(?=.*[a-z])(?=.*[A-Z0-9/+])[A-Za-z0-9/+]{40}")),
    ("signing_secret", re.compile(r"whsec_[A-Za-z0-9+/=]{16,}")),
    ("auth_header", re.compile(r"(?i:bearer|basic|token|bot|apikey|digest)\s+\S{8,}")),
)
_KNOWN_PREFIXES = re.compile(
    r"(?:ghp_|gho_|github_pat_|sk_live_|sk_test_|rk_live_|sk-|xox[abpr]-|glpat-|AIza|eyJ)"
    r"[A-Za-z0-9_\-.=]{12,}"
)
_LONG_HEX = re.compile(r"[0-9a-fA-F]{32,}")
# A short type prefix and a long random tail: ``tok_<hex>``, ``key-<base62>`` (Stripe, Mailgun,
# Twilio and many in-house tokens). The tail is hex, or mixes upper case, lower case and
# digits, so ids like ``ia_user_01m99hj…`` (lower-case base32) and names stay names.
_PREFIXED = re.compile(r"[A-Za-z]{2,10}[_-](?P<tail>[A-Za-z0-9]{20,})")
_MIN_HEX_TAIL = 24
_MIN_GENERIC_LENGTH = 16
_MIN_ENTROPY = 3.5
# Ordinary names (prefixes like "Daily-Uploads2024/") have runs of lower-case letters;
# random tokens rarely do.
_WORDISH = re.compile(r"[a-z]{5,}")


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_like_secret(value: str) -> bool:
    """Whether ``value`` looks like a generated credential rather than a name."""
    value = value.strip()
    if _KNOWN_PREFIXES.fullmatch(value) or _LONG_HEX.fullmatch(value):
        return True
    prefixed = _PREFIXED.fullmatch(value)
    if prefixed is not None and _random_tail(prefixed.group("tail")):
        return True
    if len(value) < _MIN_GENERIC_LENGTH or any(c.isspace() for c in value):
        return False
    if "://" in value or _WORDISH.search(value):
        return False
    # Mixed case with digits: host names, buckets, regions and Snowflake accounts are
    # lower-case, warehouses and roles upper-case, key ids upper-case and digits.
    mixed = (
        any(c.islower() for c in value)
        and any(c.isupper() for c in value)
        and any(c.isdigit() for c in value)
    )
    return mixed and _entropy(value) >= _MIN_ENTROPY


def _random_tail(tail: str) -> bool:
    if len(tail) >= _MIN_HEX_TAIL and _LONG_HEX.fullmatch(tail) and any(c.isdigit() for c in tail):
        return True
    return (
        any(c.islower() for c in tail)
        and any(c.isupper() for c in tail)
        and any(c.isdigit() for c in tail)
        and _entropy(tail) >= _MIN_ENTROPY
    )


def secret_field_for(value: str, fields: Sequence[FieldLike]) -> str | None:
    """The secret field of ``fields`` that ``value`` looks like it belongs to, if any."""
    secret_names = [f.name for f in fields if f.secret]
    if not secret_names:
        return None
    value = value.strip()
    for name, shape in _SHAPES:
        if name in secret_names and shape.fullmatch(value):
            return name
    if looks_like_secret(value):
        required = [f.name for f in fields if f.secret and f.required]
        return (required or secret_names)[0]
    return None
