"""Every template renders, and a missing variable is an error rather than a blank."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import UndefinedError

from agent.prompts import PROMPTS_DIR, render

SAMPLE: dict[str, Any] = {
    "options": ["Amazon S3"],
    "label": "Amazon S3",
    "is_sink": False,
    "needed": ["bucket", "secret access key"],
    "example": "bucket acme",
    "summary": "host db",
    "stored_secrets": ["password"],
    "got": ["bucket"],
    "secret_stored": ["secret access key"],
    "prompt": "Which bucket?",
    "secret": False,
    "optional": False,
    "target": "s3://acme/",
    "message": "Something happened.",
    "advice": "Check it.",
    "total": 2,
    "pages": 1,
    "page": 1,
    "shown": [{"number": 1, "name": "a", "summary": "1 columns", "count": 3}],
    "query": None,
    "of_total": None,
    "schemas": [{"name": "public", "count": 3}],
    "more_schemas": 0,
    "more": 0,
    "example_word": "orders",
    "example_schema": "public",
    "without": ["public.audit"],
    "without_count": 1,
    "sync_id": "syn_1",
    "files": 2,
    "size": "1.2 KB",
    "records": 0,
    "error": None,
    "pattern_example": "a*",
    "causes": ["the prefix is empty"],
    "count": 1,
    "names": ["a"],
    "default": "0 */6 * * *",
    "schedule": "Every 6 hours (0 */6 * * *)",
    "lines": ["Amazon S3 · s3://acme/"],
    "edit_example": "region",
    "name": "Daily",
    "status": "active",
    "id": "src_1",
    "notes": ["It will be checked every 6 hours."],
    "where": "We're gathering the connection settings.",
    "missing": ["bucket"],
    "step": "testing",
    "hint": "Which bucket?",
    "text": "ftp",
    "labels": ["Amazon S3", "HTTPS webhook"],
}
TEMPLATES = sorted(
    p.relative_to(PROMPTS_DIR).with_suffix("").as_posix() for p in PROMPTS_DIR.rglob("*.j2")
)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_renders_to_text(template: str) -> None:
    text = render(template, **SAMPLE)

    assert text.strip()
    assert "{{" not in text


def test_a_missing_variable_is_an_error() -> None:
    with pytest.raises(UndefinedError):
        render("testing")
