"""Blocks pasted from a terminal or a config file fill every field they carry, secrets apart."""

from __future__ import annotations

import pytest

from agent.parsing import (
    decline_span,
    declines_secret,
    extract_fields,
    says_nothing,
    without_pasted,
)
from agent.parsing.pasted import find_pasted
from connectors.registry import default_registry
from core.redaction import REDACTED
from tests.agent.parsing.catalog import TYPES

REAL = {spec.type: spec for spec in default_registry().specs()}
SECRET = "Sx9-kq2Lp"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"

BLOCKS = [
    pytest.param(
        "S3",
        f"AWS Access Key ID [None]: {KEY_ID}\nAWS Secret Access Key [None]: {SECRET}\n"
        "Default region name [None]: eu-central-1\nDefault output format [None]: json",
        {"access_key_id": KEY_ID, "region": "eu-central-1"},
        {"secret_access_key": SECRET},
        id="aws-configure",
    ),
    pytest.param(
        "S3",
        f"AWS Access Key ID [****MPLE]: {KEY_ID}\nDefault output format [json]:",
        {"access_key_id": KEY_ID},
        {},
        id="aws-configure-kept-defaults",
    ),
    pytest.param(
        "S3",
        f"export AWS_ACCESS_KEY_ID={KEY_ID}\nexport AWS_SECRET_ACCESS_KEY='{SECRET}'\n"
        "export AWS_DEFAULT_REGION=eu-west-1\nexport AWS_ENDPOINT_URL=http://127.0.0.1:8333",
        {"access_key_id": KEY_ID, "region": "eu-west-1", "endpoint_url": "http://127.0.0.1:8333"},
        {"secret_access_key": SECRET},
        id="export-lines",
    ),
    pytest.param(
        "S3",
        f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"
        "region = us-west-2",
        {"access_key_id": KEY_ID, "region": "us-west-2"},
        {"secret_access_key": SECRET},
        id="aws-credentials-file",
    ),
    pytest.param(
        "POSTGRES",
        f"PGHOST=127.0.0.1\nPGPORT=5432\nPGDATABASE=shop\nPGUSER=postgres\nPGPASSWORD={SECRET}",
        {"host": "127.0.0.1", "port": "5432", "database": "shop", "username": "postgres"},
        {"password": SECRET},
        id="pg-env",
    ),
    pytest.param(
        "MYSQL",
        f'# db\nDB_HOST=127.0.0.1\nDB_PORT=3306\nDB_USER=bob\nDB_PASSWORD="{SECRET}"\n'
        "DB_NAME=shop\nAPP_ENV=production",
        {"host": "127.0.0.1", "port": "3306", "database": "shop", "username": "bob"},
        {"password": SECRET},
        id="dotenv-db",
    ),
    pytest.param(
        "MYSQL",
        f"MYSQL_HOST=127.0.0.1\nMYSQL_TCP_PORT=3306\nMYSQL_USER=bob\nMYSQL_PWD={SECRET}",
        {"host": "127.0.0.1", "port": "3306", "username": "bob"},
        {"password": SECRET},
        id="mysql-env",
    ),
    pytest.param(
        "POSTGRES",
        f"environment:\n  POSTGRES_USER: postgres\n  POSTGRES_PASSWORD: {SECRET}\n"
        "  POSTGRES_DB: shop",
        {"username": "postgres", "database": "shop"},
        {"password": SECRET},
        id="compose-environment",
    ),
    pytest.param(
        "POSTGRES",
        "psql -h 127.0.0.1 -p 5432 -U postgres -d shop",
        {"host": "127.0.0.1", "port": "5432", "username": "postgres", "database": "shop"},
        {},
        id="psql-options",
    ),
    pytest.param(
        "POSTGRES",
        f'psql "host=127.0.0.1 port=5432 dbname=shop user=postgres password={SECRET}"',
        {"host": "127.0.0.1", "port": "5432", "database": "shop", "username": "postgres"},
        {"password": SECRET},
        id="psql-conninfo",
    ),
    pytest.param(
        "POSTGRES",
        f"PGPASSWORD={SECRET} psql -h 127.0.0.1 -U postgres shop",
        {"host": "127.0.0.1", "username": "postgres", "database": "shop"},
        {"password": SECRET},
        id="pgpassword-psql-positional",
    ),
    pytest.param(
        "MYSQL",
        f"mysql -h127.0.0.1 -P 3306 -u bob -p{SECRET} shop",
        {"host": "127.0.0.1", "port": "3306", "username": "bob", "database": "shop"},
        {"password": SECRET},
        id="mysql-attached-password",
    ),
    pytest.param(
        "MYSQL",
        "mysql --host=127.0.0.1 --port=3306 --user=bob -p --database=shop",
        {"host": "127.0.0.1", "port": "3306", "username": "bob", "database": "shop"},
        {},
        id="mysql-prompting-password",
    ),
    pytest.param(
        "WEBHOOK",
        f"WEBHOOK_URL=https://example.com/in\nWEBHOOK_SIGNING_SECRET=whsec_{SECRET}",
        {"url": "https://example.com/in"},
        {"signing_secret": f"whsec_{SECRET}"},
        id="webhook-dotenv",
    ),
]


@pytest.mark.parametrize(("type_", "text", "values", "secrets"), BLOCKS)
def test_a_block_fills_every_field_it_carries(
    type_: str, text: str, values: dict[str, str], secrets: dict[str, str]
) -> None:
    extraction = extract_fields(text, REAL[type_].fields, types=TYPES, asked="host")
    assert extraction.values == values
    assert extraction.secret_values == secrets
    for secret in secrets.values():
        assert secret not in extraction.redacted_text


def test_a_credential_no_field_takes_is_still_hidden() -> None:
    text = f"[p]\naws_access_key_id={KEY_ID}\naws_session_token=tok_{SECRET}"
    extraction = extract_fields(text, REAL["S3"].fields, types=TYPES)
    assert f"tok_{SECRET}" in extraction.hidden
    assert f"tok_{SECRET}" not in extraction.redacted_text
    assert REDACTED in extraction.redacted_text


def test_a_dsn_in_a_block_is_read_with_the_rest() -> None:
    text = f"DATABASE_URL=postgres://etl:{SECRET}@db:5432/shop\nPGSSLMODE=require"
    extraction = extract_fields(text, REAL["POSTGRES"].fields, types=TYPES)
    assert extraction.values == {
        "host": "db",
        "port": "5432",
        "database": "shop",
        "username": "etl",
        "sslmode": "require",
    }
    assert extraction.secret_values == {"password": SECRET}


def test_a_value_ends_with_its_line() -> None:
    extraction = extract_fields("region = us-west-2\nfoo = bar", REAL["S3"].fields, types=TYPES)
    assert extraction.values == {"region": "us-west-2"}


def test_ordinary_settings_are_not_a_block() -> None:
    assert find_pasted("host=db port=5432 the bucket is acme") == ([], [])


def test_another_field_named_at_a_secret_prompt_is_that_field() -> None:
    extraction = extract_fields(
        "the user is bob", REAL["MYSQL"].fields, types=TYPES, asked="password"
    )
    assert extraction.values == {"username": "bob"}
    assert extraction.secret_values == {}


def test_a_secret_that_is_a_sentence_stays_whole_at_its_prompt() -> None:
    fields = REAL["MYSQL"].fields
    spoken = extract_fields(f"oh it's {SECRET}", fields, types=TYPES, asked="password")
    assert spoken.secret_values == {"password": SECRET}
    phrase = extract_fields("it is a horse", fields, types=TYPES, asked="password")
    assert phrase.secret_values == {"password": "it is a horse"}


@pytest.mark.parametrize(
    "text",
    [
        "no password",
        "none",
        "Empty.",
        "it has no password",
        "there's no pw",
        "blank",
        "leave it empty",
        "no pass needed",
        "",
        "root has no password on this box",
        "we don't use a password",
        "nope, none needed, it's trust auth",
    ],
)
def test_no_password_in_words(text: str) -> None:
    assert says_nothing(text)


@pytest.mark.parametrize("text", ["hunter2", "correct horse battery staple", SECRET])
def test_a_password_is_not_nothing(text: str) -> None:
    assert not says_nothing(text)


def test_no_password_among_other_settings() -> None:
    text = "host db, user root, no password"
    assert declines_secret(text)
    span = decline_span(text)
    assert span is not None
    assert text[span[0] : span[1]] == "no password"
    assert not declines_secret("user bob password hunter2")


def test_what_was_said_around_a_block() -> None:
    text = "our keys:\nAWS Access Key ID [None]: AKIA1\nDefault output format [None]: json"
    rest = without_pasted(text)
    assert rest.startswith("our keys:")
    assert "output" not in rest
    assert len(rest) == len(text)


def test_a_long_block_is_read_in_linear_time() -> None:
    values, spans = find_pasted("PGHOST=db " * 5000)
    assert len(values) == len(spans) == 5000


def test_a_client_name_with_a_version_is_no_command_line() -> None:
    assert find_pasted("mariadb 10")[0] == []
    assert find_pasted("psql 16")[0] == []
