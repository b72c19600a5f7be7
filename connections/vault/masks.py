"""What a person sees instead of a secret: ``ia_****`` and, for long secrets, the last four.

Clients echo a mask back when a field was left unchanged (the widget's masked form, an edit
in the chat), so :func:`is_mask` lets an update keep the stored value instead of storing
the mask as the new secret.
"""

from __future__ import annotations

import re

__all__ = ["MASK_PREFIX", "is_mask", "mask_secret"]

MASK_PREFIX = "ia_****"

# Below this length the last four characters would give away too large a share of the secret.
_MIN_LENGTH_TO_SHOW = 16
_SHOWN = 4
_MASK = re.compile(re.escape(MASK_PREFIX) + f"(?:.{{{_SHOWN}}})?", re.DOTALL)


def mask_secret(value: str) -> str:
    """The mask of ``value``.

    Args:
        value: The secret.

    Returns:
        ``ia_****`` followed by the last four characters when ``value`` has at least
        16 characters, else ``ia_****`` alone.
    """
    if len(value) < _MIN_LENGTH_TO_SHOW:
        return MASK_PREFIX
    return MASK_PREFIX + value[-_SHOWN:]


def is_mask(value: str) -> bool:
    """Whether ``value`` has the shape of a mask made by :func:`mask_secret`.

    Args:
        value: A value a client sent for a secret field.

    Returns:
        True for ``ia_****`` and ``ia_****`` plus exactly four characters.
    """
    return _MASK.fullmatch(value) is not None
