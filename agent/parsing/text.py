"""Small text helpers shared by the parsers.

:func:`fold_quotes` maps typographic quotes and odd spaces to ASCII one character for one
character, so a position found in the folded text is the same position in the original:
values are cut from the original, which keeps a secret exactly as it was typed.
"""

from __future__ import annotations

import re

__all__ = [
    "fold_quotes",
    "is_secret_name",
    "squash",
    "strip_quotes",
    "to_snake",
]

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2013": "-",
        "\u2014": "-",
        "\uff0c": ",",
    }
)
_PAIRS = {'"': '"', "'": "'", "`": "`", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s\-.]+")
_SECRET_NAME = re.compile(
    r"secret|token|passw(?:or)?d|pwd|passphrase|credential|signature|auth|bearer|api_?key|"
    r"access_?key(?!_?id)|private_?key|^key$|^pass$|^sig$|^sas$"
)


def fold_quotes(text: str) -> str:
    """``text`` with typographic quotes, dashes and odd spaces as ASCII, same length."""
    return text.translate(_FOLD)


def squash(text: str) -> str:
    """``text`` with runs of white space as one space, stripped."""
    return " ".join(text.split())


def strip_quotes(value: str) -> str:
    """``value`` without one pair of matching quotes or backticks around it."""
    value = value.strip()
    if len(value) >= 2 and _PAIRS.get(value[0]) == value[-1]:
        return value[1:-1].strip()
    return value


def to_snake(key: str) -> str:
    """``accessKeyId``, ``Access key ID`` and ``access-key-id`` as ``access_key_id``."""
    key = _CAMEL.sub("_", key.strip())
    return _SEPARATORS.sub("_", key).strip("_").lower()


def is_secret_name(key: str) -> bool:
    """Whether a key names a credential (``password``, ``apiKey``, ``x-auth-token``)."""
    return bool(_SECRET_NAME.search(to_snake(key)))
