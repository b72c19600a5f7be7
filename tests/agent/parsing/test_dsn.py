"""A pasted DSN or URL fills several fields; its secrets come apart and out of the text."""

from __future__ import annotations

import pytest

from agent.parsing import find_dsns, parse_dsn
from connections.schemas import spec_out
from core.redaction import REDACTED
from tests.agent.parsing.catalog import TYPES

DSNS = [
    pytest.param(
        "postgres://etl:hunter2hunter2@db:5432/warehouse",
        "POSTGRES",
        {"host": "db", "port": "5432", "database": "warehouse", "username": "etl"},
        {"password": "hunter2hunter2"},
        id="postgres",
    ),
    pytest.param(
        "postgresql://etl:hunter2hunter2@db.acme.internal:5432/warehouse?sslmode=require",
        "POSTGRES",
        {
            "host": "db.acme.internal",
            "port": "5432",
            "database": "warehouse",
            "username": "etl",
            "sslmode": "require",
        },
        {"password": "hunter2hunter2"},
        id="postgresql-sslmode",
    ),
    pytest.param(
        "use postgresql://etl:s3cr3t-pw@db:5432/wh please",
        "POSTGRES",
        {"host": "db", "port": "5432", "database": "wh", "username": "etl"},
        {"password": "s3cr3t-pw"},
        id="inside-a-sentence",
    ),
    pytest.param(
        "jdbc:postgresql://db/wh?user=etl&password=jdbc-secret-1",
        "POSTGRES",
        {"host": "db", "database": "wh", "username": "etl"},
        {"password": "jdbc-secret-1"},
        id="jdbc-password-in-query",
    ),
    pytest.param(
        "mysql://root:p%40ss%2Fw0rd%21@127.0.0.1:3306/shop",
        "MYSQL",
        {"host": "127.0.0.1", "port": "3306", "database": "shop", "username": "root"},
        {"password": "p@ss/w0rd!"},
        id="mysql-percent-encoded-password",
    ),
    pytest.param(
        "mariadb://app:maria-pw-42@maria.local/inventory",
        "MYSQL",
        {"host": "maria.local", "database": "inventory", "username": "app"},
        {"password": "maria-pw-42"},
        id="mariadb-scheme",
    ),
    pytest.param(
        "postgres://etl:we@ird/pw99@db:5432/wh",
        "POSTGRES",
        {"host": "db", "port": "5432", "database": "wh", "username": "etl"},
        {"password": "we@ird/pw99"},
        id="unencoded-at-and-slash-in-password",
    ),
    pytest.param(
        "snowflake://loader:Sn0w-Pass!@xy12345.eu-west-1/SALES/PUBLIC?warehouse=LOAD_WH&role=LOADER",
        "SNOWFLAKE",
        {
            "account": "xy12345.eu-west-1",
            "database": "SALES",
            "schema": "PUBLIC",
            "warehouse": "LOAD_WH",
            "role": "LOADER",
            "username": "loader",
        },
        {"password": "Sn0w-Pass!"},
        id="snowflake",
    ),
    pytest.param(
        "snowflake://loader:Sn0w-Pass!@acme-prod.snowflakecomputing.com/SALES",
        "SNOWFLAKE",
        {"account": "acme-prod", "database": "SALES", "username": "loader"},
        {"password": "Sn0w-Pass!"},
        id="snowflake-full-host",
    ),
    pytest.param(
        "s3://acme-inventory/daily-uploads/",
        "S3",
        {"bucket": "acme-inventory", "prefix": "daily-uploads/"},
        {},
        id="s3-bucket-and-prefix",
    ),
    pytest.param("s3://acme-inventory", "S3", {"bucket": "acme-inventory"}, {}, id="s3-bucket"),
    pytest.param(
        "https://hooks.acme.com/ingest/results",
        "WEBHOOK",
        {"url": "https://hooks.acme.com/ingest/results"},
        {},
        id="https-url",
    ),
    pytest.param(
        "send them to https://hooks.acme.com/ingest.",
        "WEBHOOK",
        {"url": "https://hooks.acme.com/ingest"},
        {},
        id="url-ending-a-sentence",
    ),
    pytest.param(
        "https://bob:b0b-secret-pw@hooks.acme.com/in",
        "WEBHOOK",
        {"url": "https://hooks.acme.com/in"},
        {"auth_header": "Basic Ym9iOmIwYi1zZWNyZXQtcHc="},
        id="url-credentials-become-basic-auth",
    ),
    pytest.param(
        "https://api.acme.com/export.csv?token=tok-123456789&day=1",
        "WEBHOOK",
        {"url": f"https://api.acme.com/export.csv?token={REDACTED}&day=1"},
        {"token": "tok-123456789"},
        id="token-in-query-string",
    ),
]

NOT_DSNS = [
    pytest.param("postgres", id="type-name-only"),
    pytest.param("ftp://files.acme.com/x", id="unknown-scheme"),
    pytest.param("host=db port=5432", id="key-values"),
    pytest.param("postgres://", id="empty-dsn"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize(("text", "kind", "fields", "secrets"), DSNS)
def test_a_dsn_fills_its_fields(
    text: str, kind: str, fields: dict[str, str], secrets: dict[str, str]
) -> None:
    match = parse_dsn(text, TYPES)

    assert match is not None
    assert (match.type, match.fields, match.secrets) == (kind, fields, secrets)


@pytest.mark.parametrize(("text", "kind", "fields", "secrets"), DSNS)
def test_the_redacted_text_holds_no_secret(
    text: str, kind: str, fields: dict[str, str], secrets: dict[str, str]
) -> None:
    match = parse_dsn(text, TYPES)

    assert match is not None
    for secret in [*secrets.values(), *match.secret_forms]:
        assert secret not in match.redacted_text
    assert (REDACTED in match.redacted_text) == bool(secrets)


@pytest.mark.parametrize("text", NOT_DSNS)
def test_no_dsn(text: str) -> None:
    assert parse_dsn(text, TYPES) is None


def test_the_percent_encoded_form_is_redacted_too() -> None:
    match = parse_dsn("mysql://root:p%40ss%2Fw0rd%21@db/shop", TYPES)

    assert match is not None
    assert match.redacted_text == f"mysql://root:{REDACTED}@db/shop"


def test_the_rest_of_the_sentence_is_kept() -> None:
    text = "use postgresql://etl:s3cr3t-pw@db/wh please"

    match = parse_dsn(text, TYPES)

    assert match is not None
    assert match.redacted_text == f"use postgresql://etl:{REDACTED}@db/wh please"
    assert text[match.span[0] : match.span[1]] == "postgresql://etl:s3cr3t-pw@db/wh"


def test_a_repr_never_shows_the_secret() -> None:
    match = parse_dsn("postgres://etl:hunter2hunter2@db/wh", TYPES)

    assert "hunter2hunter2" not in repr(match)


def test_every_dsn_in_a_message_is_found() -> None:
    found = find_dsns("from s3://in/daily/ to https://hooks.acme.com/out", TYPES)

    assert [m.type for m in found] == ["S3", "WEBHOOK"]


def test_the_schemes_are_the_offered_types_own() -> None:
    offered = [spec_out(spec) for spec in TYPES]
    offered[0] = offered[0].model_copy(update={"dsn_schemes": ["cockroachdb"]})

    match = parse_dsn("cockroachdb://etl:hunter2hunter2@db:26257/wh", offered)

    assert match is not None
    assert (match.type, match.form, match.fields["port"]) == ("POSTGRES", "host", "26257")
    assert parse_dsn("postgres://etl:hunter2hunter2@db/wh", offered) is None


def test_no_types_offered_means_no_dsn() -> None:
    assert parse_dsn("postgres://etl:hunter2hunter2@db/wh", []) is None
