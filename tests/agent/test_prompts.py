"""Every template renders, and a missing variable is an error rather than a blank."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import UndefinedError

from agent.prompts import PROMPTS_DIR, render
from core.wording import plural

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
    "empty": 1,
    "pattern": "sales_*",
    "suspect": ["host", "port"],
    "setting": "prefix",
    "words": "every 6 hours",
    "zone": "Europe/Berlin",
    "auto_push": True,
    "topic": "colour",
    "value": "5433",
    "paste": True,
    "most": 200,
    "which": "sales",
    "taken": "Orders",
    "kind": "source",
    "suggestion": "Orders (2)",
    "schedule_words": "daily",
    "unmatched": ["pubic"],
    "close": ["public"],
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


@pytest.mark.parametrize(
    ("template", "variables", "expected"),
    [
        pytest.param(
            "ask_scope",
            {
                "total": 4,
                "empty": 1,
                "more": 0,
                "example": "a",
                "pattern": "a_*",
                "shown": [{"name": "sales", "count": 2}, {"name": "inventory", "count": 1}],
            },
            "• sales: 2 tables\n• inventory: 1 table\nWhich",
            id="scope-one-line-each-and-agreement",
        ),
        pytest.param(
            "streams_summary",
            {
                "total": 1,
                "schemas": [{"name": "s", "count": 1}],
                "more_schemas": 1,
                "example_word": "o",
                "example_schema": "s",
            },
            "I found 1 table in 2 schemas:\n• s: 1\n• and 1 more schema\nThat's",
            id="summary-one-line-each-and-agreement",
        ),
    ],
)
def test_lists_keep_one_line_per_item_and_nouns_agree(
    template: str, variables: dict[str, object], expected: str
) -> None:
    assert expected in render(template, **variables)


@pytest.mark.parametrize(
    ("count", "noun", "many", "expected"),
    [
        (0, "file", None, "0 files"),
        (1, "file", None, "1 file"),
        (2, "problem", None, "2 problems"),
        (1_204, "table", None, "1,204 tables"),
        (1, "retry", "retries", "1 retry"),
        (3, "retry", "retries", "3 retries"),
    ],
)
def test_plural_agrees_with_its_count(
    count: int, noun: str, many: str | None, expected: str
) -> None:
    assert plural(count, noun, many) == expected


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_bullet_starts_its_own_line(template: str) -> None:
    doubled = {k: v * 2 if isinstance(v, list) else v for k, v in SAMPLE.items()}
    text = render(template, **doubled)

    assert all("•" not in line[1:] for line in text.splitlines()), text
