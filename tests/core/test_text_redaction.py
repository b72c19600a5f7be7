"""Secrets are replaced in every form a pasted value takes."""

from __future__ import annotations

import pytest

from core.redaction import REDACTED, redact

CASES = [
    pytest.param("pw is hunter2hunter2", ["hunter2hunter2"], f"pw is {REDACTED}", id="as-typed"),
    pytest.param("u:p%40ssw0rd@h", ["p@ssw0rd"], f"u:{REDACTED}@h", id="percent-encoded"),
    pytest.param('{"pw": "a\\"bcdefg"}', ['a"bcdefg'], f'{{"pw": "{REDACTED}"}}', id="json"),
    pytest.param("abc, abcdef", ["abc"], f"{REDACTED}, abcdef", id="short-stands-apart"),
    pytest.param("x", [], "x", id="nothing-to-hide"),
    pytest.param("RED RED", ["RED", "RED RED"], REDACTED, id="longest-first"),
]


@pytest.mark.parametrize(("text", "secrets", "expected"), CASES)
def test_secrets_are_replaced(text: str, secrets: list[str], expected: str) -> None:
    assert redact(text, secrets) == expected
