"""The database connectors' config: what people type, what the chat and REST API send."""

from __future__ import annotations

from typing import Any

import pytest

from connections.casing import to_camel_keys, to_snake_keys
from connections.credentials import snake_config
from connectors.errors import InvalidConfigError
from connectors.mysql import MySqlConnector
from connectors.postgres import PostgresConnector
from connectors.snowflake import SnowflakeConnector
from connectors.spec import DataFormat, Role

PG = {"host": "db.example.com", "port": 5432, "database": "warehouse"}
LOGIN = {"username": "etl", "password": "s3cret-password"}


def test_specs_ask_for_what_the_seed_lists_in_that_order() -> None:
    # seed 002: PostgreSQL / MySQL host, port, database, username, password; Snowflake
    # account, warehouse, database, schema, role, username, password.
    def required(connector: Any) -> list[str]:
        return [f.name for f in connector.spec.fields if f.required]

    assert required(PostgresConnector) == ["host", "port", "database", "username", "password"]
    assert required(MySqlConnector) == ["host", "port", "database", "username", "password"]
    assert required(SnowflakeConnector) == [
        "account",
        "warehouse",
        "database",
        "schema",
        "role",
        "username",
        "password",
    ]


@pytest.mark.parametrize("connector", [PostgresConnector, MySqlConnector, SnowflakeConnector])
def test_only_the_password_is_secret_and_the_login_travels_together(connector: Any) -> None:
    fields = {f.name: f for f in connector.spec.fields}

    assert connector.spec.secret_fields == {"password"}
    assert fields["username"].credential
    assert fields["password"].credential
    assert connector.spec.roles == (Role.INVENTORY_SOURCE,)
    assert all(f.roles == (Role.INVENTORY_SOURCE,) for f in fields.values())


@pytest.mark.parametrize("connector", [PostgresConnector, MySqlConnector, SnowflakeConnector])
def test_format_is_ndjson_or_csv_and_defaults_to_ndjson(connector: Any) -> None:
    field = next(f for f in connector.spec.fields if f.name == "format")

    assert field.choices == ("NDJSON", "CSV")
    assert field.default == "NDJSON"


def test_dsn_parser_field_names_all_validate() -> None:
    # What agent/parsing/dsn.py fills from postgres://etl:pw@db:5432/warehouse?sslmode=require
    config, secrets = PostgresConnector().parse(
        {"host": "db", "port": "5432", "database": "warehouse", "sslmode": "require"},
        {"username": "etl", "password": "pw"},
    )

    assert (config.port, config.sslmode) == (5432, "require")
    assert secrets.username == "etl"


def test_snowflake_dsn_fields_validate_and_a_pasted_url_becomes_the_account() -> None:
    config, _ = SnowflakeConnector().parse(
        {
            "account": "https://myorg-acct.snowflakecomputing.com/",
            "warehouse": "WH",
            "database": "DB",
            "schema": "PUBLIC",
            "role": "R",
        },
        LOGIN,
    )

    assert config.account == "myorg-acct"
    assert config.endpoint_host == "myorg-acct.snowflakecomputing.com"


@pytest.mark.parametrize(
    ("typed", "kept", "names"),
    [
        ("public, sales", "public,sales", ("public", "sales")),
        (["public", " sales ", "public"], "public,sales", ("public", "sales")),
        ("", "", ()),
        ("all", "", ()),
        ("*", "", ()),
    ],
    ids=["comma-separated", "list-trimmed-deduplicated", "empty", "all", "star"],
)
def test_schemas_are_a_list_or_comma_separated_and_kept_as_text(
    typed: Any, kept: str, names: tuple[str, ...]
) -> None:
    config, _ = PostgresConnector().parse({**PG, "schemas": typed}, LOGIN)

    assert config.schemas == kept
    assert config.schema_names == names


def test_mysql_discovers_the_configured_database_unless_told_otherwise() -> None:
    config, _ = MySqlConnector().parse(PG, LOGIN)
    others, _ = MySqlConnector().parse({**PG, "schemas": "shop, crm"}, LOGIN)

    assert config.schema_names == ("warehouse",)
    assert others.schema_names == ("shop", "crm")


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ({"public.orders": "updated_at"}, {"public.orders": "updated_at"}),
        (
            "public.orders: updated_at, sales.items=id",
            {"public.orders": "updated_at", "sales.items": "id"},
        ),
        ('{"public.orders": "updated_at"}', {"public.orders": "updated_at"}),
    ],
    ids=["mapping", "typed-pairs", "json-text"],
)
def test_cursor_fields_accept_a_mapping_or_typed_pairs(typed: Any, chosen: dict[str, str]) -> None:
    config, _ = PostgresConnector().parse({**PG, "cursor_fields": typed}, LOGIN)

    assert config.cursor_fields == chosen


@pytest.mark.parametrize(
    ("connector", "typed", "stored"),
    [
        (PostgresConnector, "REQUIRED", "require"),
        (PostgresConnector, "verify_identity", "verify-full"),
        (PostgresConnector, "off", "disable"),
        (MySqlConnector, "require", "required"),
        (MySqlConnector, "VERIFY_IDENTITY", "verify-identity"),
        (MySqlConnector, "verify-full", "verify-identity"),
    ],
    ids=[
        "pg-mysql-spelling",
        "pg-identity",
        "pg-off",
        "mysql-libpq-spelling",
        "mysql-upper",
        "mysql-full",
    ],
)
def test_sslmode_understands_both_products_spellings(
    connector: Any, typed: str, stored: str
) -> None:
    config, _ = connector().parse({**PG, "sslmode": typed}, LOGIN)

    assert config.sslmode == stored


@pytest.mark.parametrize(
    ("override", "field", "words"),
    [
        ({"format": "XLSX"}, "format", "NDJSON or CSV"),
        ({"host": "postgres://db.example.com"}, "host", "without scheme"),
        ({"host": "db example"}, "host", "host"),
        ({"port": 70000}, "port", "65535"),
        ({"sslmode": "maybe"}, "sslmode", "sslmode"),
        ({"schemas": 42}, "schemas", "list of names"),
        ({"cursor_fields": "no pairs here"}, "cursor_fields", "pairs"),
    ],
    ids=["xlsx", "url-as-host", "space-in-host", "port-range", "sslmode", "schemas", "cursor"],
)
def test_bad_values_name_the_field(override: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        PostgresConnector().parse({**PG, **override}, LOGIN)

    assert caught.value.field == field
    assert words in caught.value.message


def test_rest_camel_case_config_and_top_level_format_fold_into_the_connector_config() -> None:
    connector = PostgresConnector()
    rest = to_camel_keys({**PG, "cursor_fields": {"public.orders": "updated_at"}})

    config = snake_config(connector, rest, DataFormat.CSV)
    parsed, _ = connector.parse(config, to_snake_keys({"username": "etl", "password": "pw"}))

    assert "cursorFields" in rest
    assert parsed.format is DataFormat.CSV
    assert parsed.cursor_fields == {"public.orders": "updated_at"}
    # Stream names inside the mapping are values, not keys to re-case.
    assert parsed.model_dump(mode="json")["cursor_fields"] == {"public.orders": "updated_at"}
