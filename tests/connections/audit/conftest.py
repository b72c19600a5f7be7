"""Audit fixtures; the database ones (``db``, ``engine``, ``sessions``) come from the parent."""

from __future__ import annotations

import pytest
from ulid import ULID


@pytest.fixture
def tenant() -> str:
    """A tenant of this test alone."""
    return f"tnt_{ULID()}"
