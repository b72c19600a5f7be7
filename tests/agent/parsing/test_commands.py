"""Commands are understood in any state, and never read into data that merely resembles them."""

from __future__ import annotations

import pytest

from agent.parsing import CommandKind, parse_command
from core.redaction import REDACTED
from tests.agent.parsing.catalog import POSTGRES, S3

HELP, BACK, CANCEL = CommandKind.HELP, CommandKind.BACK, CommandKind.CANCEL
STATUS, RETRY, GENERATE = CommandKind.STATUS, CommandKind.RETRY, CommandKind.GENERATE

COMMANDS = [
    pytest.param("help", HELP, id="help"),
    pytest.param("HELP!", HELP, id="help-shouted"),
    pytest.param("?", HELP, id="question-mark"),
    pytest.param("what can I say?", HELP, id="what-can-i-say"),
    pytest.param("back", BACK, id="back"),
    pytest.param("Back", BACK, id="back-capitalized"),
    pytest.param("go back", BACK, id="go-back"),
    pytest.param("  go   back  ", BACK, id="go-back-extra-spaces"),
    pytest.param("previous", BACK, id="previous"),
    pytest.param("please go back", BACK, id="please-go-back"),
    pytest.param("cancel", CANCEL, id="cancel"),
    pytest.param("Start over!", CANCEL, id="start-over"),
    pytest.param("restart", CANCEL, id="restart"),
    pytest.param("never mind", CANCEL, id="never-mind"),
    pytest.param("nevermind.", CANCEL, id="nevermind"),
    pytest.param("status", STATUS, id="status"),
    pytest.param("summary", STATUS, id="summary"),
    pytest.param("where are we?", STATUS, id="where-are-we"),
    pytest.param("what\u2019s left", STATUS, id="whats-left-unicode-apostrophe"),
    pytest.param("retry", RETRY, id="retry"),
    pytest.param("try again", RETRY, id="try-again"),
    pytest.param("ok, retry please", RETRY, id="ok-retry-please"),
    pytest.param("test again", RETRY, id="test-again"),
    pytest.param("generate", GENERATE, id="generate"),
    pytest.param("generate one for me", GENERATE, id="generate-one-for-me"),
    pytest.param("you make one", GENERATE, id="you-make-one"),
]

EDITS = [
    pytest.param("change the port to 5433", "port", "5433", id="change-to"),
    pytest.param("change the port to 5433.", "port", "5433", id="change-to-with-dot"),
    pytest.param("set region to eu-west-1", "region", "eu-west-1", id="set-to"),
    pytest.param("Set the Region to EU-West-1 please", "region", "EU-West-1", id="keeps-case"),
    pytest.param("region should be eu-west-1", "region", "eu-west-1", id="should-be"),
    pytest.param("the prefix needs to be exports/", "prefix", "exports/", id="needs-to-be"),
    pytest.param("actually the port is 5433", "port", "5433", id="actually-is"),
    pytest.param("use eu-west-1 as the region", "region", "eu-west-1", id="use-as"),
    pytest.param("edit the schedule", "schedule", None, id="edit-schedule"),
    pytest.param("change the schedule", "schedule", None, id="change-schedule"),
    pytest.param(
        "change the schedule to \u201cdaily at 2am\u201d", "schedule", "daily at 2am", id="quoted"
    ),
    pytest.param("change the tables", "streams", None, id="tables-means-streams"),
    pytest.param("change the key id to AKIA123", "access_key_id", "AKIA123", id="synonym"),
    pytest.param("change the db to sales", "database", "sales", id="db-synonym"),
    pytest.param("change something", None, None, id="change-something"),
    pytest.param("change it to weekly", None, "weekly", id="change-it-to"),
    pytest.param("edit", None, None, id="edit-alone"),
]

NOT_COMMANDS = [
    pytest.param("back-ups", id="bucket-back-ups"),
    pytest.param("backups", id="bucket-backups"),
    pytest.param("cancelled-orders", id="cancelled-orders"),
    pytest.param("help-desk-exports", id="help-desk-exports"),
    pytest.param("status.csv", id="status-file"),
    pytest.param("retry_queue", id="retry-queue"),
    pytest.param("generated/", id="generated-prefix"),
    pytest.param("postgres", id="type-name"),
    pytest.param("host=db port=5432", id="fields"),
    pytest.param("it should be fine", id="should-be-without-a-target"),
    pytest.param("make it daily", id="make-it-daily"),
    pytest.param("set up a new connection to postgres", id="set-up"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize(("text", "kind"), COMMANDS)
def test_a_command_is_understood(text: str, kind: CommandKind) -> None:
    command = parse_command(text)

    assert command is not None
    assert command.kind == kind


@pytest.mark.parametrize(("text", "field", "value"), EDITS)
def test_an_edit_names_a_field_or_topic(text: str, field: str | None, value: str | None) -> None:
    command = parse_command(text)

    assert command is not None
    assert (command.kind, command.field, command.value) == (CommandKind.EDIT, field, value)


@pytest.mark.parametrize("text", NOT_COMMANDS)
def test_data_is_not_a_command(text: str) -> None:
    assert parse_command(text) is None


def test_an_edit_target_is_resolved_against_the_connector_fields() -> None:
    command = parse_command("change the secret to abcdef123456", fields=S3.fields)

    assert command is not None
    assert (command.field, command.secret) == ("secret_access_key", True)


def test_an_edit_of_a_secret_is_redacted() -> None:
    command = parse_command("change the password to hunter2hunter2", fields=POSTGRES.fields)

    assert command is not None
    assert command.secret
    assert command.value == "hunter2hunter2"
    assert command.redacted_text == f"change the password to {REDACTED}"
    assert "hunter2hunter2" not in repr(command)


def test_an_edit_of_a_plain_field_keeps_the_text() -> None:
    command = parse_command("change the port to 5433", fields=POSTGRES.fields)

    assert command is not None
    assert not command.secret
    assert command.redacted_text == "change the port to 5433"


def test_a_command_kind_compares_as_its_lower_case_name() -> None:
    command = parse_command("cancel")

    assert command is not None
    assert command.kind == "cancel"


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("could you rename it to Daily bookings", "name", "Daily bookings"),
        ("please change the region to eu-west-1", "region", "eu-west-1"),
        ("can you set the prefix to exports/", "prefix", "exports/"),
    ],
)
def test_a_polite_edit_is_an_edit(text: str, field: str, value: str) -> None:
    command = parse_command(text, fields=S3.fields)
    assert command is not None
    assert (command.kind, command.field, command.value) == (CommandKind.EDIT, field, value)


def test_a_yes_before_an_edit_is_not_its_target() -> None:
    # The review reads "yes" and then the edit; "yes but the schedule" is no setting.
    assert parse_command("yes but the schedule should be hourly") is None


def test_a_target_that_runs_on_into_its_value() -> None:
    command = parse_command("change region eu-west-1", fields=S3.fields)
    assert command is not None
    assert (command.field, command.value) == ("region", "eu-west-1")
    secret = parse_command("change the secret key abcdef123456", fields=S3.fields)
    assert secret is not None
    assert (secret.field, secret.secret) == ("secret_access_key", True)
    assert "abcdef123456" not in secret.redacted_text
