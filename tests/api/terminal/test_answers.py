"""What a typed line becomes, given the agent's last reply (pure rules, no service)."""

from __future__ import annotations

import io
from typing import Any

from api.terminal import Answer, Identity, Renderer, interpret


def _reply(
    state: str = "select_source_type",
    options: list[str] | None = None,
    **data: Any,
) -> dict[str, Any]:
    return {
        "session_id": "ses_1",
        "state": state,
        "message": "…",
        "options": options or [],
        "data": data,
    }


def test_a_number_picks_the_numbered_quick_reply() -> None:
    reply = _reply(options=["Amazon S3", "HTTPS webhook"])

    assert interpret(reply, " 2 ") == Answer(message="HTTPS webhook")
    assert interpret(reply, "3") == Answer(message="3")  # out of range: sent as typed
    assert interpret(reply, "   ") is None


def test_a_stream_selection_goes_to_the_agent_as_typed() -> None:
    reply = _reply("select_streams", ["All", "1", "2"], input_type="multi_choice")

    assert interpret(reply, "1") == Answer(message="1")
    assert interpret(reply, "1,3-5") == Answer(message="1,3-5")
    assert interpret(reply, "all") == Answer(message="all")


def test_a_secret_goes_as_the_asked_field() -> None:
    reply = _reply("gather_credentials", input_type="secret", required_fields=["secret_access_key"])

    answer = interpret(reply, "wJalrXUtnFEMI/K7MDENG\n")

    assert answer == Answer(fields={"secret_access_key": "wJalrXUtnFEMI/K7MDENG"})
    assert "wJalr" not in repr(answer)


def test_at_a_hidden_prompt_an_option_or_cancel_is_a_message() -> None:
    reply = _reply(
        "gather_credentials", ["Generate"], input_type="secret", required_fields=["signing_secret"]
    )

    assert interpret(reply, "1") == Answer(message="Generate")
    assert interpret(reply, "generate") == Answer(message="generate")
    assert interpret(reply, "Cancel") == Answer(message="Cancel")


def test_a_secret_asked_outside_the_credentials_step_is_a_message() -> None:
    reply = _reply("review", input_type="secret", required_fields=[])

    assert interpret(reply, "s3cr3t-value") == Answer(message="s3cr3t-value")


def test_a_token_replaces_the_gateway_headers_and_stays_out_of_the_repr() -> None:
    headers = Identity("local", "ada", "ROLE_VIEWER").headers()
    with_token = Identity("local", "ada", "ROLE_VIEWER", token="eyJhbGciOi.payload.sig")

    assert headers == {"X-Tenant-Id": "local", "X-User-ID": "ada", "X-User-Roles": "ROLE_VIEWER"}
    assert with_token.headers() == {"Authorization": "Bearer eyJhbGciOi.payload.sig"}
    assert "eyJ" not in repr(with_token)


def test_off_a_terminal_progress_is_one_line_per_step_and_no_colour() -> None:
    out = io.StringIO()
    renderer = Renderer(out)

    for _ in range(3):
        renderer.progress("test connection")
    renderer.reply(_reply(options=["Yes", "No"], reveal_once="whsec_abc"))

    text = out.getvalue()
    assert text.count("… test connection") == 1
    assert "\x1b[" not in text
    assert "1) Yes   2) No" in text
    assert "│ whsec_abc" in text


def test_an_empty_line_at_a_masked_prompt_answers_with_an_empty_field() -> None:
    asked = _reply("gather_credentials", input_type="secret", required_fields=["password"])

    assert interpret(asked, "") == Answer(fields={"password": ""})
    assert interpret(_reply("gather_credentials", required_fields=["host"]), "") is None
