"""Keeps secrets out of text: secret-named keys and every registered secret value.

The log pipeline, error messages and transcripts all pass through :func:`redact_text`,
:func:`redact_mapping` or :func:`redact`. One rule set decides what counts:

- :mod:`core.redaction.keys`: which keys name a secret (``password``, ``api_key``, ...);
- :mod:`core.redaction.text`: the forms a value leaks in, and :func:`redact` for a message
  and the secrets found in it;
- :mod:`core.redaction.registry`: the process-wide registry of values, each held by an
  owner (a chat session, a pull, or the process itself) and dropped when the owner ends.
"""

from core.redaction.keys import is_secret_key
from core.redaction.registry import (
    PROCESS,
    SecretRegistry,
    holds_secret,
    redact_mapping,
    redact_text,
    register_secret,
    registered_secrets,
    registry,
    release_secrets,
    secrets_owned_by,
    unregister_secret,
)
from core.redaction.text import REDACTED, forms, redact

__all__ = [
    "PROCESS",
    "REDACTED",
    "SecretRegistry",
    "forms",
    "holds_secret",
    "is_secret_key",
    "redact",
    "redact_mapping",
    "redact_text",
    "register_secret",
    "registered_secrets",
    "registry",
    "release_secrets",
    "secrets_owned_by",
    "unregister_secret",
]
