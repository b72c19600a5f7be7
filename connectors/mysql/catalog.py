"""The MySQL / MariaDB catalog, read in three or four queries for all the tables.

1. ``information_schema.TABLES``: tables and views;
2. ``information_schema.COLUMNS``: every column with its type, nullability and ``EXTRA``
   (``auto_increment``);
3. ``information_schema.STATISTICS``: the ``PRIMARY`` index's columns in key order
   (``COLUMN_KEY = 'PRI'`` also marks a unique key standing in for a missing primary key,
   so it is not used);
4. row and size estimates.

``information_schema`` lists only what the user has some privilege on.

Row estimates must not cost a visit to every table. MySQL 8 answers ``TABLE_ROWS`` and
``DATA_LENGTH`` from its data dictionary, cached for ``information_schema_stats_expiry``
seconds, which we set for the session in case the server was told to refresh them on
every query. MariaDB instead opens every table to ask the storage engine (seconds for a
few thousand tables), so there the estimates come from InnoDB's persistent statistics,
``mysql.innodb_table_stats``, read without ANALYZE; a user who may not read that table
gets no estimates (``None``), which is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pymysql

from connectors.results import Column, Stream
from connectors.sql.catalog import StreamBuilder, collector_paused
from connectors.sql.session import SchemaSurvey, TableRef
from connectors.sql.types import mysql_type

__all__ = ["STATS_EXPIRY_SQL", "streams", "survey_rows", "survey_sql", "to_survey"]

# MariaDB also lists sequences as tables; they hold no rows to read.
_KINDS: Final = "'BASE TABLE', 'VIEW', 'SYSTEM VERSIONED'"
# No such table (1146) or no SELECT on it (1142, 1143): estimates stay unknown.
_STATS_UNREADABLE: Final = frozenset({1142, 1143, 1146})
# One day: statistics as fresh as MySQL's default cache keeps them.
STATS_EXPIRY_SQL: Final = "SET SESSION information_schema_stats_expiry = 86400"


def _in(names: Sequence[str]) -> str:
    return ", ".join(["%s"] * len(names))


def survey_sql(schemas: Sequence[str]) -> str:
    """Tables per database, counted from names only (no table is opened)."""
    return (
        "SELECT s.SCHEMA_NAME, COUNT(t.TABLE_NAME), MIN(t.TABLE_NAME) "  # noqa: S608
        "FROM information_schema.SCHEMATA s "
        "LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME "
        f"AND t.TABLE_TYPE IN ({_KINDS}) "
        f"WHERE s.SCHEMA_NAME IN ({_in(schemas)}) GROUP BY s.SCHEMA_NAME"
    )


def _tables_sql(schemas: Sequence[str], *, with_stats: bool) -> str:
    stats = "TABLE_ROWS, DATA_LENGTH" if with_stats else "NULL, NULL"
    return (
        f"SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, {stats} "  # noqa: S608
        f"FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ({_in(schemas)}) "
        f"AND TABLE_TYPE IN ({_KINDS})"
    )


def _innodb_stats_sql(schemas: Sequence[str]) -> str:
    return (
        "SELECT database_name, table_name, n_rows, "  # noqa: S608
        "clustered_index_size * @@innodb_page_size FROM mysql.innodb_table_stats "
        f"WHERE database_name IN ({_in(schemas)})"
    )


_Estimates = dict[tuple[str, str], tuple[int | None, int | None]]


def innodb_estimates(cursor: Any, schemas: Sequence[str]) -> _Estimates:
    """Rows and bytes per table from InnoDB's persistent statistics; empty if unreadable."""
    try:
        cursor.execute(_innodb_stats_sql(schemas), tuple(schemas))
    except pymysql.err.MySQLError as exc:
        if exc.args and exc.args[0] in _STATS_UNREADABLE:
            return {}
        raise
    return {
        (_text(db), _text(table)): (_int(rows), _int(size))
        for db, table, rows, size in cursor.fetchall()
    }


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _columns_sql(schemas: Sequence[str]) -> str:
    return (
        "SELECT TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, DATA_TYPE, "  # noqa: S608
        "COLUMN_TYPE, IS_NULLABLE, EXTRA "
        f"FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ({_in(schemas)})"
    )


def _primary_keys_sql(schemas: Sequence[str]) -> str:
    return (
        "SELECT TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX, COLUMN_NAME "  # noqa: S608
        "FROM information_schema.STATISTICS "
        f"WHERE INDEX_NAME = 'PRIMARY' AND TABLE_SCHEMA IN ({_in(schemas)})"
    )


def _text(value: Any) -> str:
    """information_schema answers in bytes on some servers and versions."""
    return value.decode() if isinstance(value, bytes | bytearray) else str(value)


def survey_rows(rows: Sequence[Sequence[Any]]) -> dict[str, tuple[int, str | None]]:
    """``{database: (tables, first table name)}`` from :func:`survey_sql` rows."""
    return {_text(r[0]): (int(r[1]), _text(r[2]) if r[2] is not None else None) for r in rows}


def to_survey(name: str, tables: int, *, readable: bool) -> SchemaSurvey:
    """A database's survey: all its tables readable, or none (see the session)."""
    return SchemaSurvey(name=name, tables=tables, readable=tables if readable else 0)


def streams(cursor: Any, schemas: Sequence[str], *, mariadb: bool) -> list[Stream]:
    """Every table and view of ``schemas`` the user has a privilege on, described."""
    params = tuple(schemas)
    if not mariadb:
        cursor.execute(STATS_EXPIRY_SQL)
    cursor.execute(_tables_sql(schemas, with_stats=not mariadb), params)
    tables = cursor.fetchall()
    if not tables:
        return []
    estimates = innodb_estimates(cursor, schemas) if mariadb else {}
    cursor.execute(_columns_sql(schemas), params)
    columns: dict[tuple[str, str], list[tuple[int, str, str, str, str, str]]] = {}
    for schema, table, position, name, data_type, column_type, nullable, extra in cursor.fetchall():
        columns.setdefault((_text(schema), _text(table)), []).append(
            (
                int(position),
                _text(name),
                _text(data_type),
                _text(column_type),
                _text(nullable),
                _text(extra or ""),
            )
        )
    cursor.execute(_primary_keys_sql(schemas), params)
    keys: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for schema, table, seq, name in cursor.fetchall():
        keys.setdefault((_text(schema), _text(table)), []).append((int(seq), _text(name)))
    # The rows are in; turning them into streams is CPU work only.
    with collector_paused():
        builder = StreamBuilder()
        result = []
        for schema_raw, table_raw, kind_raw, table_rows, data_length in tables:
            schema, table = _text(schema_raw), _text(table_raw)
            rows, size = estimates.get((schema, table), (_int(table_rows), _int(data_length)))
            attrs = sorted(columns.get((schema, table), ()))
            cols: list[Column] = []
            increasing: list[str] = []
            for _, name, data_type, column_type, nullable, extra in attrs:
                cols.append(
                    builder.column(
                        name, mysql_type(data_type, column_type), nullable=nullable == "YES"
                    )
                )
                if "auto_increment" in extra.lower():
                    increasing.append(name)
            kind = _text(kind_raw)
            is_view = kind == "VIEW"
            result.append(
                builder.stream(
                    TableRef(schema, table),
                    cols,
                    primary_key=tuple(n for _, n in sorted(keys.get((schema, table), ()))),
                    increasing=increasing,
                    record_estimate=None if is_view else rows,
                    size_bytes=None if is_view else size,
                    description="view" if is_view else "table",
                )
            )
        return result
