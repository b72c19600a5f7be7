"""A connector type is recognized by name, alias, typo or number, with a hint of its role."""

from __future__ import annotations

import pytest

from agent.parsing import detect_role, match_type
from connections.schemas import spec_out
from connectors.spec import Role
from tests.agent.parsing.catalog import TYPES

SINK = Role.RESULTS_SINK
SOURCE = Role.INVENTORY_SOURCE

MATCHES = [
    pytest.param("pg", "POSTGRES", id="alias-pg"),
    pytest.param("postgres", "POSTGRES", id="alias-postgres"),
    pytest.param("postgresql", "POSTGRES", id="alias-postgresql"),
    pytest.param("psql", "POSTGRES", id="alias-psql"),
    pytest.param("PostgreSQL", "POSTGRES", id="label-mixed-case"),
    pytest.param("postgress", "POSTGRES", id="typo-postgress"),
    pytest.param("pstgres", "POSTGRES", id="typo-missing-letter"),
    pytest.param("connect my postgres db", "POSTGRES", id="in-a-sentence"),
    pytest.param("  Postgres  ", "POSTGRES", id="extra-spaces"),
    pytest.param("mysql", "MYSQL", id="alias-mysql"),
    pytest.param("mysq", "MYSQL", id="typo-mysq"),
    pytest.param("mariadb", "MYSQL", id="alias-mariadb"),
    pytest.param("MariaDB!", "MYSQL", id="alias-with-punctuation"),
    pytest.param("maria", "MYSQL", id="alias-maria"),
    pytest.param("snowflake", "SNOWFLAKE", id="name-snowflake"),
    pytest.param("snowflak", "SNOWFLAKE", id="typo-snowflak"),
    pytest.param("sf", "SNOWFLAKE", id="alias-sf"),
    pytest.param("I want to connect a Snowflake warehouse", "SNOWFLAKE", id="snowflake-sentence"),
    pytest.param("s3", "S3", id="alias-s3"),
    pytest.param("S3", "S3", id="upper-case-s3"),
    pytest.param("amazon s3", "S3", id="label-amazon-s3"),
    pytest.param("amazn s3", "S3", id="typo-amazn-s3"),
    pytest.param("amazon-s3", "S3", id="hyphenated-label"),
    pytest.param("aws", "S3", id="alias-aws"),
    pytest.param("aws s3", "S3", id="alias-aws-s3"),
    pytest.param("bucket", "S3", id="alias-bucket"),
    pytest.param("minio", "S3", id="alias-minio"),
    pytest.param("\u201cs3\u201d", "S3", id="unicode-quotes"),
    pytest.param("webhook", "WEBHOOK", id="name-webhook"),
    pytest.param("web hook", "WEBHOOK", id="alias-web-hook"),
    pytest.param("webhok", "WEBHOOK", id="typo-webhok"),
    pytest.param("HTTPS webhook", "WEBHOOK", id="label-https-webhook"),
    pytest.param("https", "WEBHOOK", id="alias-https"),
    pytest.param("an http endpoint", "WEBHOOK", id="alias-endpoint"),
    pytest.param("url", "WEBHOOK", id="alias-url"),
    pytest.param("api", "WEBHOOK", id="alias-api"),
    pytest.param("1", "POSTGRES", id="number-1"),
    pytest.param("2", "MYSQL", id="number-2-second-offered"),
    pytest.param("5.", "WEBHOOK", id="number-with-dot"),
    pytest.param("option 4", "S3", id="option-number"),
    pytest.param("#3", "SNOWFLAKE", id="hash-number"),
    pytest.param("the third one", "SNOWFLAKE", id="ordinal-words"),
    pytest.param("last", "WEBHOOK", id="ordinal-last"),
    # -- the names people use (issue 22) --------------------------------------------------
    pytest.param("s 3", "S3", id="s-space-3"),
    pytest.param("S3 bucket pls", "S3", id="s3-bucket-pls"),
    pytest.param("an aws bucket", "S3", id="aws-bucket"),
    pytest.param("files on amazon", "S3", id="amazon-alone-is-s3"),
    pytest.param("bucket in aws", "S3", id="bucket-in-aws"),
    pytest.param("pg db", "POSTGRES", id="pg-db"),
    pytest.param("a postgres on RDS", "POSTGRES", id="postgres-on-rds"),
    pytest.param("postgresql 16 on aws", "POSTGRES", id="version-and-platform"),
    pytest.param("aws rds postgres", "POSTGRES", id="aws-rds-first"),
    pytest.param("Azure postgres", "POSTGRES", id="azure"),
    pytest.param("postgres hosted on heroku", "POSTGRES", id="hosted-on"),
    pytest.param("PG15", "POSTGRES", id="glued-version"),
    pytest.param("supabase", "POSTGRES", id="supabase"),
    pytest.param("mysql 8", "MYSQL", id="mysql-8"),
    pytest.param("mysql 8.0 on aws", "MYSQL", id="mysql-dotted-version-on-aws"),
    pytest.param("amazon rds for mysql", "MYSQL", id="rds-for-mysql"),
    pytest.param("mariadb 10.11 on prem", "MYSQL", id="mariadb-on-prem"),
    pytest.param("hi, need mysql thx", "MYSQL", id="politeness"),
    pytest.param("our warehouse (snowflake)", "SNOWFLAKE", id="our-warehouse-snowflake"),
    pytest.param("snowflake on aws", "SNOWFLAKE", id="snowflake-on-aws"),
    pytest.param("an https endpoint", "WEBHOOK", id="https-endpoint"),
    pytest.param("json over https", "WEBHOOK", id="json-over-https"),
    pytest.param("REST API that returns json", "WEBHOOK", id="rest-api"),
    pytest.param("hook pls", "WEBHOOK", id="hook"),
]

NO_MATCH = [
    pytest.param("", id="empty"),
    pytest.param("hello", id="greeting"),
    pytest.param("sql", id="sql-is-ambiguous"),
    pytest.param("postgres or mysql", id="two-types"),
    pytest.param("oracle", id="unknown-database"),
    pytest.param("mongo", id="unknown-mongo"),
    pytest.param("progress", id="word-near-postgres"),
    pytest.param("amazing", id="word-near-amazon"),
    pytest.param("7", id="number-out-of-range"),
    pytest.param("0", id="number-zero"),
    pytest.param("aurora", id="a-platform-alone"),
    pytest.param("rds", id="rds-alone"),
    pytest.param("postgres on aws or mysql", id="two-types-on-a-platform"),
]

ROLES = [
    pytest.param("send results to a webhook", "WEBHOOK", SINK, id="send-results-webhook"),
    pytest.param("send our job results to s3", "S3", SINK, id="send-job-results-s3"),
    pytest.param("export to S3", "S3", SINK, id="export-to"),
    pytest.param("push results to our webhook", "WEBHOOK", SINK, id="push"),
    pytest.param("deliver job output to a bucket", "S3", SINK, id="deliver"),
    pytest.param("a webhook sink", "WEBHOOK", SINK, id="sink-word"),
    pytest.param("pull files from our bucket", "S3", SOURCE, id="pull-from"),
    pytest.param("import from postgres", "POSTGRES", SOURCE, id="import-from"),
    pytest.param("postgres", "POSTGRES", None, id="no-hint"),
    pytest.param("dump job results into s3", "S3", SINK, id="dump-results"),
    pytest.param("send results to our webhook", "WEBHOOK", SINK, id="our-webhook"),
    pytest.param("push job output to an s3 bucket", "S3", SINK, id="job-output"),
]


@pytest.mark.parametrize(("text", "expected"), MATCHES)
def test_a_type_is_named(text: str, expected: str) -> None:
    match = match_type(text, TYPES)

    assert match is not None
    assert match.type == expected


@pytest.mark.parametrize("text", NO_MATCH)
def test_no_type_is_named(text: str) -> None:
    assert match_type(text, TYPES) is None


@pytest.mark.parametrize(("text", "expected", "role"), ROLES)
def test_the_words_hint_at_a_role(text: str, expected: str, role: Role | None) -> None:
    match = match_type(text, TYPES)

    assert match is not None
    assert (match.type, match.role) == (expected, role)


def test_an_exact_name_scores_full_marks_and_a_typo_less() -> None:
    exact = match_type("postgres", TYPES)
    typo = match_type("postgress", TYPES)

    assert exact is not None
    assert typo is not None
    assert exact.score == 100
    assert 80 <= typo.score < 100


def test_the_match_carries_the_object_passed_in() -> None:
    match = match_type("s3", TYPES)

    assert match is not None
    assert match.connector is TYPES[3]
    assert match.matched == "s3"


def test_rest_api_connector_types_are_accepted() -> None:
    offered = [spec_out(spec) for spec in TYPES]

    match = match_type("amazn s3", offered)

    assert match is not None
    assert match.connector is offered[3]


def test_an_alias_the_service_serves_is_understood() -> None:
    # The parsers know no alias of their own: a remote service's extra alias is enough.
    offered = [spec_out(spec) for spec in TYPES]
    offered[1] = offered[1].model_copy(update={"aliases": [*offered[1].aliases, "shopdb"]})

    match = match_type("shopdb", offered)

    assert match is not None
    assert match.type == "MYSQL"


def test_no_types_offered_means_no_match() -> None:
    assert match_type("postgres", []) is None


@pytest.mark.parametrize(
    ("text", "role"),
    [
        pytest.param("send results somewhere", SINK, id="sink"),
        pytest.param("read from a bucket", SOURCE, id="source"),
        pytest.param("push and pull", None, id="both-is-unclear"),
        pytest.param("hello", None, id="neither"),
    ],
)
def test_a_role_is_detected_without_a_type(text: str, role: Role | None) -> None:
    assert detect_role(text) == role
