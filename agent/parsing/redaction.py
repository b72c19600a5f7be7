"""Replace secret values in a message with ``***REDACTED***`` before it is kept anywhere.

Each secret is replaced in the forms in which a pasted value tends to appear: as typed,
percent-encoded and JSON-escaped. A value of six characters or more is replaced wherever it
occurs; a shorter one only where it stands apart (no letter or digit on either side), so a
short password does not eat ordinary words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "redact"]

REDACTED = "***REDACTED***"

_ANYWHERE_LENGTH = 6
# A placeholder no secret contains, so a later, shorter secret cannot match inside an
# earlier replacement.
_HOLE = "\x00"


def _forms(secret: str) -> set[str]:
    forms = {secret, secret.strip()}
    forms.add(quote(secret, safe=""))
    forms.add(quote_plus(secret, safe=""))
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    return {f for f in forms if f.strip() and _HOLE not in f}


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every one of ``secrets`` replaced by :data:`REDACTED`."""
    forms: set[str] = set()
    for secret in secrets:
        forms |= _forms(secret)
    if not forms:
        return text
    for form in sorted(forms, key=len, reverse=True):
        if len(form) >= _ANYWHERE_LENGTH:
            text = text.replace(form, _HOLE)
        else:
            pattern = rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])"
            text = re.sub(pattern, _HOLE, text)
    return text.replace(_HOLE, REDACTED)
