"""Terse answers: "X is Y", "X = Y", "X: Y", politeness, places for regions (issue 22)."""

from __future__ import annotations

import pytest

from agent.parsing import extract_fields
from connectors.spec import ConnectorSpec
from tests.agent.parsing.catalog import POSTGRES, S3, TYPES, WEBHOOK

TERSE = [
    pytest.param(
        "host is 127.0.0.1 port 5432 db is x user postgres",
        POSTGRES,
        {"host": "127.0.0.1", "port": "5432", "database": "x", "username": "postgres"},
        id="is-and-space-mixed",
    ),
    pytest.param(
        "user = postgres, db = x",
        POSTGRES,
        {"username": "postgres", "database": "x"},
        id="spaced-equals",
    ),
    pytest.param(
        "db: x user: postgres",
        POSTGRES,
        {"database": "x", "username": "postgres"},
        id="colons",
    ),
    pytest.param(
        "host db1 on port 5432",
        POSTGRES,
        {"host": "db1", "port": "5432"},
        id="a-preposition-before-a-key",
    ),
    pytest.param("bucket acme pls", S3, {"bucket": "acme"}, id="pls"),
    pytest.param("bucket is acme thx", S3, {"bucket": "acme"}, id="thx"),
    pytest.param(
        "bucket is acme and region frankfurt",
        S3,
        {"bucket": "acme", "region": "eu-central-1"},
        id="region-by-city",
    ),
    pytest.param(
        "bucket acme in region frankfurt",
        S3,
        {"bucket": "acme", "region": "eu-central-1"},
        id="in-region",
    ),
    pytest.param(
        "the bucket is acme in dublin",
        S3,
        {"bucket": "acme", "region": "eu-west-1"},
        id="value-in-a-place",
    ),
    pytest.param("region: Frankfurt", S3, {"region": "eu-central-1"}, id="region-colon"),
    pytest.param("region eu central", S3, {"region": "eu-central-1"}, id="eu-central"),
    pytest.param("region=sao paulo", S3, {"region": "sa-east-1"}, id="two-word-city"),
    pytest.param("region auto", S3, {"region": "auto"}, id="not-a-place-kept-as-typed"),
    pytest.param("key: AKIA4EXAMPLE", S3, {"access_key_id": "AKIA4EXAMPLE"}, id="key-is-key-id"),
]


@pytest.mark.parametrize(("text", "spec", "values"), TERSE)
def test_terse_values_are_extracted(text: str, spec: ConnectorSpec, values: dict[str, str]) -> None:
    assert extract_fields(text, spec.fields, types=TYPES).values == values


def test_a_place_answers_the_bucket_question_with_its_region() -> None:
    extraction = extract_fields("acme, it is in ireland", S3.fields, types=TYPES, asked="bucket")

    assert extraction.values == {"bucket": "acme", "region": "eu-west-1"}


def test_a_bearer_token_is_hidden_as_typed() -> None:
    extraction = extract_fields("bearer token tok_abcdef0123456789", WEBHOOK.fields, types=TYPES)

    assert extraction.secret_values == {"auth_header": "Bearer tok_abcdef0123456789"}
    assert "tok_abcdef0123456789" not in extraction.redacted_text
