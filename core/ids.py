"""Prefixed ULID identifiers (``agt_``, ``src_``, ``syn_``, ``sec_``, ``chn_``, ...)."""

from __future__ import annotations

from typing import Literal

from ulid import ULID

__all__ = ["Prefix", "new_id"]

Prefix = Literal["agt", "src", "syn", "sec", "pnd", "aud", "inv", "job", "ses", "chk", "chn"]


def new_id(prefix: Prefix) -> str:
    """A new sortable id such as ``src_01J...``."""
    return f"{prefix}_{ULID()}"
