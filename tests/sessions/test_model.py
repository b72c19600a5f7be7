from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from sessions import MAX_TURNS, Session, Turn
from tests.sessions.conftest import make_session


def test_a_new_session_has_a_ses_id_and_starts_at_version_zero() -> None:
    session = make_session()

    assert session.id.startswith("ses_")
    assert session.version == 0
    assert session.transcript == []


def test_a_full_session_survives_a_json_round_trip() -> None:
    at = datetime(2026, 1, 1, 12, tzinfo=UTC)
    session = make_session(
        agent_id="agt_1",
        state="gather_credentials",
        connector_type="postgres",
        role="INVENTORY_SOURCE",
        answers={"host": "db", "port": 5432},
        secret_refs={"password": "sec_01ABC"},
        secret_masks={"password": "ia_****"},
        asked="database",
        catalog={"streams": [{"name": "public.users", "columns": ["id"]}]},
        selected_streams=["public.users"],
        schedule={"cron": "0 */6 * * *", "timezone": "UTC"},
        last_failure={"failure": "auth_failed"},
        task={"id": "job_1", "step": "test_connection", "status": "running"},
        result={"id": "src_1", "name": "Orders", "status": "active"},
        last_reply={"state": "gather_credentials", "message": "Database?"},
    )
    session.append("user", "postgres", at=at)
    session.append("agent", "Host?", at=at + timedelta(seconds=1))

    restored = Session.from_json(session.to_json())

    assert restored == session
    assert restored.roles == ("ROLE_DATA_ENGINEER",)
    assert isinstance(restored.transcript[0], Turn)


def test_append_records_the_turn_and_marks_activity() -> None:
    session = make_session()
    at = datetime(2026, 3, 1, tzinfo=UTC)

    turn = session.append("agent", "What type of source?", at=at)

    assert session.transcript == [turn]
    assert (turn.role, turn.text, turn.at) == ("agent", "What type of source?", at)
    assert session.updated_at == at


def test_the_transcript_keeps_only_the_latest_turns() -> None:
    session = make_session()

    for number in range(MAX_TURNS + 50):
        session.append("user", f"message {number}")

    assert len(session.transcript) == MAX_TURNS
    assert session.transcript[0].text == "message 50"
    assert session.transcript[-1].text == f"message {MAX_TURNS + 49}"


def test_touch_sets_the_last_activity() -> None:
    session = make_session()
    at = datetime(2030, 1, 1, tzinfo=UTC)

    session.touch(at)

    assert session.updated_at == at


def test_a_turn_needs_a_known_speaker() -> None:
    with pytest.raises(ValidationError):
        Turn.model_validate({"role": "system", "text": "hi"})


def test_timestamps_must_carry_a_timezone() -> None:
    with pytest.raises(ValidationError):
        make_session(created_at=datetime(2026, 1, 1))  # noqa: DTZ001
