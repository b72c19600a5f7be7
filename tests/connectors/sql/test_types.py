"""Native column types mapped to the catalog's five types."""

from __future__ import annotations

import pytest

from connectors.sql.types import mysql_type, postgres_type, snowflake_type


@pytest.mark.parametrize(
    ("native", "mapped"),
    [
        ("integer", "integer"),
        ("bigint", "integer"),
        ("numeric(12,2)", "number"),
        ("double precision", "number"),
        ("boolean", "boolean"),
        ("timestamp(3) with time zone", "timestamp"),
        ("timestamp without time zone", "timestamp"),
        ("date", "timestamp"),
        ("time without time zone", "string"),
        ("character varying(32)", "string"),
        ("integer[]", "string"),
        ("jsonb", "string"),
        ("my_enum", "string"),
    ],
)
def test_postgres(native: str, mapped: str) -> None:
    assert postgres_type(native) == mapped


@pytest.mark.parametrize(
    ("data_type", "column_type", "mapped"),
    [
        ("tinyint", "tinyint(1)", "boolean"),
        ("tinyint", "tinyint(4)", "integer"),
        ("bigint", "bigint(20) unsigned", "integer"),
        ("decimal", "decimal(10,2)", "number"),
        ("double", "double", "number"),
        ("datetime", "datetime(6)", "timestamp"),
        ("timestamp", "timestamp", "timestamp"),
        ("time", "time", "string"),
        ("json", "longtext", "string"),
        ("enum", "enum('a','b')", "string"),
    ],
)
def test_mysql(data_type: str, column_type: str, mapped: str) -> None:
    assert mysql_type(data_type, column_type) == mapped


@pytest.mark.parametrize(
    ("data_type", "scale", "mapped"),
    [
        ("FIXED", 0, "integer"),
        ("FIXED", 2, "number"),
        ("NUMBER", 0, "integer"),
        ("NUMBER", None, "integer"),
        ("REAL", None, "number"),
        ("BOOLEAN", None, "boolean"),
        ("TIMESTAMP_TZ", None, "timestamp"),
        ("DATE", None, "timestamp"),
        ("TEXT", None, "string"),
        ("VARIANT", None, "string"),
    ],
)
def test_snowflake(data_type: str, scale: int | None, mapped: str) -> None:
    assert snowflake_type(data_type, scale) == mapped
