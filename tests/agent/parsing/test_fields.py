"""Field values come out of one message, several at once or one bare answer, secrets apart."""

from __future__ import annotations

import pytest

from agent.parsing import extract_fields
from agent.parsing.secret_shapes import looks_like_secret
from connections.schemas import spec_out
from connectors.spec import ConnectorSpec, FieldSpec
from core.redaction import REDACTED
from tests.agent.parsing.catalog import POSTGRES, S3, SNOWFLAKE, SOURCE, TYPES, WEBHOOK

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
# S3 with a free-text field, whose values often hold spaces.
NAMED_S3 = ConnectorSpec(
    type="NAMED_S3",
    label="Named S3",
    roles=SOURCE,
    fields=(FieldSpec(name="name", label="Name", prompt="What is the name?"), *S3.fields),
)

EXTRACTIONS = [
    # -- several fields at once ------------------------------------------------------------
    pytest.param(
        "bucket acme-inventory, prefix daily-uploads/, region us-east-1, key id AKIA4EXAMPLE",
        S3,
        None,
        {
            "bucket": "acme-inventory",
            "prefix": "daily-uploads/",
            "region": "us-east-1",
            "access_key_id": "AKIA4EXAMPLE",
        },
        {},
        id="conversation-1-list",
    ),
    pytest.param(
        "the bucket is acme and the region us-east-1",
        S3,
        None,
        {"bucket": "acme", "region": "us-east-1"},
        {},
        id="the-x-is-and-the-y",
    ),
    pytest.param("host=db port=5432", POSTGRES, None, {"host": "db", "port": "5432"}, {}, id="kv"),
    pytest.param(
        "host=db,port=5432", POSTGRES, None, {"host": "db", "port": "5432"}, {}, id="kv-commas"
    ),
    pytest.param(
        "host: db, port 5432", POSTGRES, None, {"host": "db", "port": "5432"}, {}, id="colon-mix"
    ),
    pytest.param(
        "the host is db and the port is 5432",
        POSTGRES,
        None,
        {"host": "db", "port": "5432"},
        {},
        id="sentence",
    ),
    pytest.param(
        "HOST = db.acme.internal ;  PORT = 5433",
        POSTGRES,
        None,
        {"host": "db.acme.internal", "port": "5433"},
        {},
        id="upper-case-spaces-semicolon",
    ),
    pytest.param(
        "user etl, pass hunter2hunter2, db warehouse",
        POSTGRES,
        None,
        {"username": "etl", "database": "warehouse"},
        {"password": "hunter2hunter2"},
        id="synonyms-user-pass-db",
    ),
    pytest.param(
        "login: etl  pwd: Tr0ub4dor&3",
        POSTGRES,
        None,
        {"username": "etl"},
        {"password": "Tr0ub4dor&3"},
        id="synonyms-login-pwd",
    ),
    pytest.param(
        "access key AKIAIOSFODNN7EXAMPLE, secret key " + AWS_SECRET,
        S3,
        None,
        {"access_key_id": "AKIAIOSFODNN7EXAMPLE"},
        {"secret_access_key": AWS_SECRET},
        id="synonyms-access-key-secret-key",
    ),
    pytest.param(
        "accessKeyId=AKIAIOSFODNN7EXAMPLE secretAccessKey=" + AWS_SECRET,
        S3,
        None,
        {"access_key_id": "AKIAIOSFODNN7EXAMPLE"},
        {"secret_access_key": AWS_SECRET},
        id="camel-case-keys",
    ),
    pytest.param(
        "endpoint https://s3.example.com, bucket data-lake",
        S3,
        None,
        {"endpoint_url": "https://s3.example.com", "bucket": "data-lake"},
        {},
        id="endpoint-synonym",
    ),
    pytest.param(
        "format csv, prefix exports/",
        S3,
        None,
        {"format": "CSV", "prefix": "exports/"},
        {},
        id="enum-spelled-as-its-choice",
    ),
    pytest.param(
        "url https://hooks.acme.com/x, auth Bearer 3f9a6c2e81d04b7f",
        WEBHOOK,
        None,
        {"url": "https://hooks.acme.com/x"},
        {"auth_header": "Bearer 3f9a6c2e81d04b7f"},
        id="webhook-url-and-auth",
    ),
    pytest.param(
        "address https://hooks.acme.com/in, token Bearer abcdefgh12345678",
        WEBHOOK,
        None,
        {"url": "https://hooks.acme.com/in"},
        {"auth_header": "Bearer abcdefgh12345678"},
        id="address-and-token-synonyms",
    ),
    pytest.param(
        "secret " + WHSEC,
        WEBHOOK,
        None,
        {},
        {"signing_secret": WHSEC},
        id="secret-means-signing-secret-for-webhook",
    ),
    pytest.param(
        "account xy12345.eu-west-1, warehouse LOAD_WH, role LOADER, schema PUBLIC",
        SNOWFLAKE,
        None,
        {
            "account": "xy12345.eu-west-1",
            "warehouse": "LOAD_WH",
            "role": "LOADER",
            "schema": "PUBLIC",
        },
        {},
        id="snowflake-fields",
    ),
    pytest.param(
        "\u201chost\u201d: \u201cdb\u201d, \u201cport\u201d: \u201c5432\u201d",
        POSTGRES,
        None,
        {"host": "db", "port": "5432"},
        {},
        id="unicode-quotes",
    ),
    pytest.param(
        "host=db colour=blue",
        POSTGRES,
        None,
        {"host": "db"},
        {},
        id="unknown-key-ends-a-value",
    ),
    # -- labels and values separated by spaces only ----------------------------------------
    pytest.param(
        "bucket acme prefix in/ region us-east-1",
        S3,
        None,
        {"bucket": "acme", "prefix": "in/", "region": "us-east-1"},
        {},
        id="run-without-commas",
    ),
    pytest.param(
        "endpoint http://127.0.0.1:9000 key id AKIAEXAMPLE",
        S3,
        None,
        {"endpoint_url": "http://127.0.0.1:9000", "access_key_id": "AKIAEXAMPLE"},
        {},
        id="run-url-then-two-word-synonym",
    ),
    pytest.param(
        "host db.acme.internal port 5432 database warehouse user etl",
        POSTGRES,
        None,
        {"host": "db.acme.internal", "port": "5432", "database": "warehouse", "username": "etl"},
        {},
        id="run-postgres",
    ),
    pytest.param(
        "user etl pass hunter2hunter2 db warehouse",
        POSTGRES,
        None,
        {"username": "etl", "database": "warehouse"},
        {"password": "hunter2hunter2"},
        id="run-with-a-secret-in-the-middle",
    ),
    pytest.param(
        "account xy12345.eu-west-1 warehouse LOAD_WH role LOADER schema PUBLIC",
        SNOWFLAKE,
        None,
        {
            "account": "xy12345.eu-west-1",
            "warehouse": "LOAD_WH",
            "role": "LOADER",
            "schema": "PUBLIC",
        },
        {},
        id="run-snowflake",
    ),
    pytest.param(
        "format json records path data.items",
        S3,
        None,
        {"format": "JSON", "records_path": "data.items"},
        {},
        id="run-value-then-two-word-label",
    ),
    pytest.param(
        "bucket acme region us-east-1",
        S3,
        "bucket",
        {"bucket": "acme", "region": "us-east-1"},
        {},
        id="run-at-the-prompt-of-its-first-field",
    ),
    pytest.param(
        "bucket prefix-data region us-east-1",
        S3,
        None,
        {"bucket": "prefix-data", "region": "us-east-1"},
        {},
        id="run-bucket-named-prefix-data",
    ),
    pytest.param(
        "prefix region/ region us-east-1",
        S3,
        None,
        {"prefix": "region/", "region": "us-east-1"},
        {},
        id="run-prefix-named-like-a-label",
    ),
    pytest.param(
        "bucket region prefix in/",
        S3,
        None,
        {"bucket": "region", "prefix": "in/"},
        {},
        id="run-label-word-right-after-a-label-is-the-value",
    ),
    pytest.param(
        "database db user etl",
        POSTGRES,
        None,
        {"database": "db", "username": "etl"},
        {},
        id="run-database-named-db",
    ),
    pytest.param(
        "prefix in/2024:01/ region us-east-1",
        S3,
        None,
        {"prefix": "in/2024:01/", "region": "us-east-1"},
        {},
        id="run-value-with-colon-and-slash",
    ),
    pytest.param(
        "auth Bearer abcdefgh12345678 method POST",
        WEBHOOK,
        None,
        {"method": "POST"},
        {"auth_header": "Bearer abcdefgh12345678"},
        id="run-bearer-is-a-value-not-a-label",
    ),
    pytest.param(
        "headers X-Team: data platform",
        WEBHOOK,
        None,
        {"headers": "X-Team: data platform"},
        {},
        id="header-value-with-spaces",
    ),
    pytest.param(
        "headers X-Team: data platform method POST",
        WEBHOOK,
        None,
        {"headers": "X-Team: data platform", "method": "POST"},
        {},
        id="run-header-value-with-spaces-then-label",
    ),
    pytest.param(
        "name Daily uploads",
        NAMED_S3,
        None,
        {"name": "Daily uploads"},
        {},
        id="value-with-spaces",
    ),
    pytest.param(
        "name Daily uploads bucket acme",
        NAMED_S3,
        None,
        {"name": "Daily uploads", "bucket": "acme"},
        {},
        id="run-value-with-spaces-then-label",
    ),
    # -- JSON ------------------------------------------------------------------------------
    pytest.param(
        '{"host": "db", "port": 5432, "user": "etl"}',
        POSTGRES,
        None,
        {"host": "db", "port": "5432", "username": "etl"},
        {},
        id="json",
    ),
    pytest.param(
        '{"host": "db", "password": "p\\/w\\"quoted\\""}',
        POSTGRES,
        None,
        {"host": "db"},
        {"password": 'p/w"quoted"'},
        id="json-secret-with-escapes",
    ),
    pytest.param(
        '{"config": {"bucket": "b1x", "accessKeyId": "AKIA1EXAMPLE"}, '
        f'"secret": {{"secretAccessKey": "{AWS_SECRET}"}}}}',
        S3,
        None,
        {"bucket": "b1x", "access_key_id": "AKIA1EXAMPLE"},
        {"secret_access_key": AWS_SECRET},
        id="json-rest-shape-camel-case",
    ),
    pytest.param(
        'here you go: {"bucket": "acme", "region": "eu-west-1"} thanks',
        S3,
        "bucket",
        {"bucket": "acme", "region": "eu-west-1"},
        {},
        id="json-inside-a-sentence",
    ),
    # -- a DSN -----------------------------------------------------------------------------
    pytest.param(
        "postgresql://etl:hunter2hunter2@db.acme.internal:5432/warehouse",
        POSTGRES,
        None,
        {"host": "db.acme.internal", "port": "5432", "database": "warehouse", "username": "etl"},
        {"password": "hunter2hunter2"},
        id="dsn",
    ),
    pytest.param(
        "postgres://etl:p%40ss%2Fw0rd@db/wh",
        POSTGRES,
        "host",
        {"host": "db", "database": "wh", "username": "etl"},
        {"password": "p@ss/w0rd"},
        id="dsn-percent-encoded-at-the-host-prompt",
    ),
    pytest.param(
        "s3://acme-inventory/daily-uploads/ region us-east-1",
        S3,
        None,
        {"bucket": "acme-inventory", "prefix": "daily-uploads/", "region": "us-east-1"},
        {},
        id="s3-url-and-more",
    ),
    pytest.param(
        "https://bob:b0b-secret-pw@hooks.acme.com/in",
        WEBHOOK,
        "url",
        {"url": "https://hooks.acme.com/in"},
        {"auth_header": "Basic Ym9iOmIwYi1zZWNyZXQtcHc="},
        id="url-credentials-move-to-auth-header",
    ),
    # -- one bare value for the field asked ------------------------------------------------
    pytest.param("db.acme.internal", POSTGRES, "host", {"host": "db.acme.internal"}, {}, id="bare"),
    pytest.param(
        "db.acme.internal:5433",
        POSTGRES,
        "host",
        {"host": "db.acme.internal", "port": "5433"},
        {},
        id="bare-host-and-port",
    ),
    pytest.param("5432", POSTGRES, "port", {"port": "5432"}, {}, id="bare-port"),
    pytest.param("  5432 ", POSTGRES, "port", {"port": "5432"}, {}, id="bare-port-spaces"),
    pytest.param("it's us-east-1 please", S3, "region", {"region": "us-east-1"}, {}, id="polite"),
    pytest.param("'acme-data'", S3, "bucket", {"bucket": "acme-data"}, {}, id="bare-quoted"),
    pytest.param("back-ups", S3, "bucket", {"bucket": "back-ups"}, {}, id="bucket-named-back-ups"),
    pytest.param("daily-uploads/", S3, "prefix", {"prefix": "daily-uploads/"}, {}, id="prefix"),
    pytest.param("json", S3, "format", {"format": "JSON"}, {}, id="bare-enum"),
    pytest.param(
        "acme-inventory, region eu-west-1",
        S3,
        "bucket",
        {"bucket": "acme-inventory", "region": "eu-west-1"},
        {},
        id="bare-answer-then-more",
    ),
    pytest.param(
        "https://hooks.acme.com/ingest/results",
        WEBHOOK,
        "url",
        {"url": "https://hooks.acme.com/ingest/results"},
        {},
        id="bare-url",
    ),
    pytest.param(
        "hunter2 hunter2",
        POSTGRES,
        "password",
        {},
        {"password": "hunter2 hunter2"},
        id="bare-secret-is-the-whole-message",
    ),
    pytest.param(
        "  c0rrect-h0rse host=x  ",
        POSTGRES,
        "password",
        {},
        {"password": "c0rrect-h0rse host=x"},
        id="secret-prompt-keeps-key-like-text",
    ),
    pytest.param(
        "hunter2 user etl",
        POSTGRES,
        "password",
        {},
        {"password": "hunter2 user etl"},
        id="secret-prompt-keeps-label-words",
    ),
    pytest.param(
        "open sesame region us-east-1 bucket acme",
        S3,
        "secret_access_key",
        {},
        {"secret_access_key": "open sesame region us-east-1 bucket acme"},
        id="secret-prompt-keeps-a-run-of-labels",
    ),
    pytest.param(
        "password: s3cr3t!pw",
        POSTGRES,
        "password",
        {},
        {"password": "s3cr3t!pw"},
        id="secret-prompt-with-its-key",
    ),
    pytest.param(
        AWS_SECRET,
        S3,
        "secret_access_key",
        {},
        {"secret_access_key": AWS_SECRET},
        id="bare-aws-secret",
    ),
    # -- a secret at the wrong prompt ------------------------------------------------------
    pytest.param(
        "password=hunter2hunter2",
        POSTGRES,
        "host",
        {},
        {"password": "hunter2hunter2"},
        id="password-key-at-host-prompt",
    ),
    pytest.param(
        AWS_SECRET,
        S3,
        "access_key_id",
        {},
        {"secret_access_key": AWS_SECRET},
        id="aws-secret-at-key-id-prompt",
    ),
    pytest.param(
        WHSEC, WEBHOOK, "url", {}, {"signing_secret": WHSEC}, id="signing-secret-at-url-prompt"
    ),
    pytest.param(
        "Bearer 3f9a6c2e81d04b7f",
        WEBHOOK,
        "url",
        {},
        {"auth_header": "Bearer 3f9a6c2e81d04b7f"},
        id="auth-header-at-url-prompt",
    ),
    pytest.param(
        "xK9#mQ2$vL7pR4wZ8nB3",
        POSTGRES,
        "username",
        {},
        {"password": "xK9#mQ2$vL7pR4wZ8nB3"},
        id="random-token-at-user-prompt",
    ),
    pytest.param(
        "password: Sup3r$ecret99",
        S3,
        "bucket",
        {},
        {"secret_access_key": "Sup3r$ecret99"},
        id="password-word-means-the-only-secret",
    ),
    pytest.param(WHSEC, WEBHOOK, None, {}, {"signing_secret": WHSEC}, id="secret-unasked"),
    # -- nothing --------------------------------------------------------------------------
    pytest.param("hello there", POSTGRES, None, {}, {}, id="nothing-unasked"),
    pytest.param("", POSTGRES, "host", {}, {}, id="empty"),
]


@pytest.mark.parametrize(("text", "spec", "asked", "values", "secrets"), EXTRACTIONS)
def test_values_are_extracted(
    text: str,
    spec: ConnectorSpec,
    asked: str | None,
    values: dict[str, str],
    secrets: dict[str, str],
) -> None:
    extraction = extract_fields(text, spec.fields, asked=asked, types=TYPES)

    assert (extraction.values, extraction.secret_values) == (values, secrets)


@pytest.mark.parametrize(("text", "spec", "asked", "values", "secrets"), EXTRACTIONS)
def test_the_redacted_text_never_holds_a_secret(
    text: str,
    spec: ConnectorSpec,
    asked: str | None,
    values: dict[str, str],
    secrets: dict[str, str],
) -> None:
    extraction = extract_fields(text, spec.fields, asked=asked, types=TYPES)

    for secret in extraction.secret_values.values():
        assert secret not in extraction.redacted_text
    for secret in secrets.values():
        assert secret.strip() not in extraction.redacted_text
    assert (REDACTED in extraction.redacted_text) == bool(secrets)


def test_the_redacted_text_is_the_message_with_the_secret_replaced() -> None:
    extraction = extract_fields(
        "user etl, pass hunter2hunter2, db wh", POSTGRES.fields, types=TYPES
    )

    assert extraction.redacted_text == f"user etl, pass {REDACTED}, db wh"


def test_a_secret_in_json_is_replaced_as_typed() -> None:
    text = '{"host": "db", "password": "p\\/w\\"quoted\\""}'

    extraction = extract_fields(text, POSTGRES.fields, types=TYPES)

    assert extraction.redacted_text == f'{{"host": "db", "password": "{REDACTED}"}}'


def test_keys_that_match_no_field_are_reported() -> None:
    extraction = extract_fields("host=db colour=blue", POSTGRES.fields, types=TYPES)

    assert extraction.unknown == ("colour",)


def test_unknown_json_keys_are_reported() -> None:
    extraction = extract_fields('{"bucket": "b1x", "flavour": "vanilla"}', S3.fields, types=TYPES)

    assert extraction.unknown == ("flavour",)


def test_an_unknown_secret_sounding_key_is_still_redacted() -> None:
    extraction = extract_fields("host=db api_token=tok-987654321", POSTGRES.fields, types=TYPES)

    assert "tok-987654321" not in extraction.redacted_text
    assert extraction.unknown == ("api_token",)


def test_a_secret_at_a_non_secret_prompt_is_reported_as_misplaced() -> None:
    extraction = extract_fields(AWS_SECRET, S3.fields, asked="access_key_id", types=TYPES)

    assert extraction.misplaced == ("secret_access_key",)


def test_a_secret_at_its_own_prompt_is_not_misplaced() -> None:
    extraction = extract_fields(AWS_SECRET, S3.fields, asked="secret_access_key", types=TYPES)

    assert extraction.misplaced == ()


def test_a_repr_never_shows_a_secret() -> None:
    extraction = extract_fields("password=hunter2hunter2", POSTGRES.fields, types=TYPES)

    assert "hunter2hunter2" not in repr(extraction)


def test_names_lists_secret_and_plain_fields() -> None:
    extraction = extract_fields("user etl, pass hunter2hunter2", POSTGRES.fields, types=TYPES)

    assert extraction.names == {"username", "password"}


def test_rest_api_fields_are_accepted() -> None:
    fields = spec_out(S3).fields

    extraction = extract_fields("bucket acme, secret " + AWS_SECRET, fields, types=TYPES)

    assert extraction.values == {"bucket": "acme"}
    assert extraction.secret_values == {"secret_access_key": AWS_SECRET}


def test_a_short_secret_is_redacted_where_it_stands_apart() -> None:
    extraction = extract_fields("pass abc, db abcdef", POSTGRES.fields, types=TYPES)

    assert extraction.redacted_text == f"pass {REDACTED}, db abcdef"


def test_a_credential_in_a_url_query_is_hidden_from_the_value_and_the_text() -> None:
    text = "https://api.acme.com/export.csv?token=tok-123456789"

    extraction = extract_fields(text, WEBHOOK.fields, asked="url", types=TYPES)

    assert extraction.values == {"url": f"https://api.acme.com/export.csv?token={REDACTED}"}
    assert "tok-123456789" not in extraction.redacted_text


@pytest.mark.parametrize(
    "token",
    [
        "tok_" + "0123456789abcdef" * 2,
        "key-" + "3f9a6c2e81d04b7f" * 2,
        "AB_x7Kq2Lm9Pz4Rt8Vw1Yb3Nc",
    ],
)
def test_a_prefixed_random_token_looks_like_a_secret(token: str) -> None:
    assert looks_like_secret(token)


@pytest.mark.parametrize(
    "name", ["ia_user_01m99hjagsrcdbga4xt0m8hq", "corpus-0123456789ab", "daily_reports_2024"]
)
def test_ids_and_names_do_not_look_like_secrets(name: str) -> None:
    assert not looks_like_secret(name)


def test_a_token_pasted_at_the_port_prompt_is_a_secret_not_a_port() -> None:
    token = "xoxb-2048-4096-AbCdEfGhIjKlMnOpQrStUv12"
    extraction = extract_fields(token, POSTGRES.fields, asked="port", types=TYPES)

    assert "port" not in extraction.values
    assert extraction.secret_values == {"password": token}
    assert extraction.misplaced == ("password",)
