"""Native column types mapped to the catalog's five :data:`~connectors.results.ColumnType` s.

Discovery maps hundreds of thousands of columns, but a database uses few distinct types, so
every mapping is cached by its input. What is not recognised is a ``string``: its values are
still written, as text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from connectors.results import ColumnType

__all__ = ["mysql_type", "postgres_type", "snowflake_type"]

_PG_TYPES: dict[str, ColumnType] = {
    "smallint": "integer",
    "integer": "integer",
    "bigint": "integer",
    "oid": "integer",
    "numeric": "number",
    "real": "number",
    "double precision": "number",
    "money": "number",
    "boolean": "boolean",
    "date": "timestamp",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamp",
}
# "timestamp(3) with time zone", "numeric(12,2)", "character varying(32)".
_MODIFIERS = re.compile(r"\([^)]*\)")

_MYSQL_TYPES: dict[str, ColumnType] = {
    "tinyint": "integer",
    "smallint": "integer",
    "mediumint": "integer",
    "int": "integer",
    "integer": "integer",
    "bigint": "integer",
    "year": "integer",
    "decimal": "number",
    "numeric": "number",
    "float": "number",
    "double": "number",
    "real": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "date": "timestamp",
    "datetime": "timestamp",
    "timestamp": "timestamp",
}

_SNOWFLAKE_TYPES: dict[str, ColumnType] = {
    "REAL": "number",
    "FLOAT": "number",
    "DOUBLE": "number",
    "BOOLEAN": "boolean",
    "DATE": "timestamp",
    "DATETIME": "timestamp",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NTZ": "timestamp",
    "TIMESTAMP_LTZ": "timestamp",
    "TIMESTAMP_TZ": "timestamp",
}
_SNOWFLAKE_FIXED = frozenset({"FIXED", "NUMBER", "DECIMAL", "NUMERIC"})
_SNOWFLAKE_INTEGERS = frozenset({"INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "BYTEINT"})


@lru_cache(maxsize=4096)
def postgres_type(formatted: str) -> ColumnType:
    """Map the output of PostgreSQL's ``format_type`` (``numeric(12,2)``, ``text[]``).

    Arrays, ranges, JSON, intervals and times of day are strings: they have no scalar
    counterpart among the catalog's types.
    """
    if formatted.endswith("]"):
        return "string"
    return _PG_TYPES.get(_MODIFIERS.sub("", formatted).strip(), "string")


@lru_cache(maxsize=4096)
def mysql_type(data_type: str, column_type: str) -> ColumnType:
    """Map MySQL/MariaDB ``DATA_TYPE`` and ``COLUMN_TYPE``; ``tinyint(1)`` is a boolean."""
    if column_type.lower().startswith("tinyint(1)"):
        return "boolean"
    return _MYSQL_TYPES.get(data_type.lower(), "string")


@lru_cache(maxsize=4096)
def snowflake_type(data_type: str, scale: int | None = None) -> ColumnType:
    """Map a Snowflake type (``FIXED`` from SHOW COLUMNS, ``NUMBER`` from information_schema).

    A fixed-point number with scale 0 is an integer, as Snowflake's own INT is.
    """
    name = data_type.upper()
    if name in _SNOWFLAKE_INTEGERS:
        return "integer"
    if name in _SNOWFLAKE_FIXED:
        return "integer" if not scale else "number"
    return _SNOWFLAKE_TYPES.get(name, "string")
