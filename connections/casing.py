"""The one place where connector field names change case.

Connector specs and the chat use snake_case (``access_key_id``); the REST ``config`` and
``secret`` objects use camelCase as in seed 001 (``accessKeyId``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["to_camel", "to_camel_keys", "to_snake", "to_snake_keys"]

_UPPER = re.compile(r"(?<!^)(?=[A-Z])")


def to_snake(name: str) -> str:
    """``accessKeyId`` → ``access_key_id`` (snake_case input is returned as is)."""
    return _UPPER.sub("_", name).lower()


def to_camel(name: str) -> str:
    """``access_key_id`` → ``accessKeyId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_snake_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys to snake_case (values such as header maps are left alone)."""
    return {to_snake(k): v for k, v in data.items()}


def to_camel_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys to camelCase."""
    return {to_camel(k): v for k, v in data.items()}
