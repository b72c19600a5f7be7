"""The one rule set for hiding a secret value in text: which forms of it, and where.

A value leaks in the forms it takes on its way through code: as typed (or with the
whitespace around it trimmed), percent-encoded, JSON-escaped (ASCII or not) and base64 in
its three spellings. :func:`forms` lists them; the registry
(:mod:`core.redaction.registry`) replaces the long ones anywhere in every log line, and
:func:`redact` replaces them in one message with the values it is given. A form of six
characters or more is replaced wherever it occurs; a shorter one only where it stands apart
(no letter or digit on either side), so a short password does not eat ordinary words.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

__all__ = ["MIN_ANYWHERE", "REDACTED", "forms", "redact"]

REDACTED = "***REDACTED***"

MIN_ANYWHERE = 6
"""Forms at least this long are replaced wherever they occur; shorter ones only apart."""

# A placeholder no secret contains, so a later, shorter secret cannot match inside an
# earlier replacement.
_HOLE = "\x00"


def forms(value: str) -> set[str]:
    """Every form in which ``value`` tends to leak (blank forms left out)."""
    raw = value.encode()
    encoded = base64.b64encode(raw).decode()
    candidates = {
        value,
        value.strip(),
        quote(value, safe=""),
        quote_plus(value, safe=""),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        encoded,
        encoded.rstrip("="),
        base64.urlsafe_b64encode(raw).decode(),
    }
    return {f for f in candidates if f.strip() and _HOLE not in f}


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every one of ``secrets``, in each of its :func:`forms`, replaced."""
    found: set[str] = set()
    for secret in secrets:
        found |= forms(secret)
    if not found:
        return text
    for form in sorted(found, key=len, reverse=True):
        if len(form) >= MIN_ANYWHERE:
            text = text.replace(form, _HOLE)
        else:
            pattern = rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])"
            text = re.sub(pattern, _HOLE, text)
    return text.replace(_HOLE, REDACTED)
