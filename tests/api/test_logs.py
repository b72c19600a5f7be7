"""Logging: JSON lines, bound ids, and no secret in any line."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
import structlog

from api.logs import configure_logging
from core.redaction import REDACTED, redact_text, registered_secrets

CANARY = "canary-Secr3t/value+with=chars-7c1f"
Lines = Callable[[], list[dict[str, object]]]


class Opaque:
    """A value that is neither str, dict nor list: it becomes text only in the renderer."""

    def __str__(self) -> str:
        return f"<Opaque holding {CANARY}>"

    __repr__ = __str__


@pytest.fixture
def canary() -> Iterator[str]:
    """The canary, registered for this test only."""
    with registered_secrets(CANARY):
        yield CANARY


@pytest.fixture
def json_lines(capsys: pytest.CaptureFixture[str], canary: str) -> Iterator[Lines]:
    configure_logging("debug", "json")

    def read() -> list[dict[str, object]]:
        err = capsys.readouterr().err
        assert canary not in err
        return [json.loads(line) for line in err.splitlines() if line.strip()]

    yield read
    structlog.contextvars.clear_contextvars()


def test_lines_are_json_with_event_level_and_timestamp(json_lines: Lines) -> None:
    structlog.get_logger("t").info("thing_happened", count=3)

    (line,) = json_lines()
    assert line["event"] == "thing_happened"
    assert line["level"] == "info"
    assert line["count"] == 3
    assert "timestamp" in line


def test_bound_context_ids_appear_in_every_line(json_lines: Lines) -> None:
    structlog.contextvars.bind_contextvars(request_id="req_1", tenant_id="t1", session_id="ses_1")
    structlog.get_logger("t").info("a")
    logging.getLogger("stdlib").warning("b")

    lines = json_lines()
    assert [(x["request_id"], x["tenant_id"], x["session_id"]) for x in lines] == [
        ("req_1", "t1", "ses_1")
    ] * 2


@pytest.mark.parametrize(
    "key", ["password", "secret_access_key", "auth_header", "Authorization", "api_key", "token"]
)
def test_secret_named_keys_are_masked(json_lines: Lines, key: str) -> None:
    structlog.get_logger("t").info("connect", **{key: "hunter2-unregistered"})

    (line,) = json_lines()
    assert line[key] == REDACTED


@pytest.mark.parametrize(
    "form",
    [
        CANARY,
        quote(CANARY, safe=""),
        json.dumps(CANARY)[1:-1],
        base64.b64encode(CANARY.encode()).decode(),
    ],
    ids=["plain", "url-encoded", "json-escaped", "base64"],
)
def test_registered_values_are_redacted_in_any_field(json_lines: Lines, form: str) -> None:
    structlog.get_logger("t").info("message", detail=f"got {form} back", nested={"x": [form]})

    (line,) = json_lines()
    assert line["detail"] == f"got {REDACTED} back"
    assert line["nested"] == {"x": [REDACTED]}


def test_stdlib_log_messages_are_redacted(json_lines: Lines) -> None:
    logging.getLogger("botocore.like").error("request failed with %s", CANARY)

    (line,) = json_lines()
    assert REDACTED in str(line["event"])


def test_tracebacks_have_no_locals_and_no_secret(json_lines: Lines) -> None:
    def fail(password: str) -> None:
        raise ValueError(f"bad {password}")

    try:
        fail(CANARY)
    except ValueError:
        structlog.get_logger("t").exception("it_failed")

    (line,) = json_lines()
    frames = line["exception"][0]["frames"]  # type: ignore[index]
    assert frames
    assert all("locals" not in frame or not frame["locals"] for frame in frames)
    assert REDACTED in json.dumps(line["exception"])


def test_objects_rendered_late_are_redacted_in_json_lines(json_lines: Lines) -> None:
    structlog.get_logger("t").info("object_logged", value=Opaque(), items={"x": (Opaque(),)})

    (line,) = json_lines()
    assert REDACTED in str(line["value"])


def test_objects_rendered_late_are_redacted_on_the_console(
    capsys: pytest.CaptureFixture[str], canary: str
) -> None:
    configure_logging("debug", "console")

    structlog.get_logger("t").info("object_logged", value=Opaque())

    err = capsys.readouterr().err
    assert "object_logged" in err
    assert canary not in err
    assert REDACTED in err


def test_no_test_leaves_the_canary_registered() -> None:
    # Last in the module on purpose: the fixtures above must have cleaned up after themselves.
    assert redact_text(CANARY) == CANARY
