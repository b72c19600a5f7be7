"""PostgreSQL's catalog, read in a few queries for the whole database.

Discovery reads ``pg_catalog`` directly: ``information_schema`` is a tower of views with
per-row privilege checks that takes seconds on a large catalog. Three queries:

1. relations: tables, partitioned tables, views, materialized views and foreign tables
   the user may read, with row and page estimates and the primary key's column numbers;
2. their columns (``pg_attribute``), by relation oid;
3. the names of the distinct types those columns use (``format_type``), to map them.

Partitions are left out (their parent is the stream). Row estimates are
``pg_class.reltuples`` (``-1``, never analysed, becomes unknown); sizes are
``relpages`` times the block size, both as of the last VACUUM or ANALYZE, and only for
relations with storage of their own (tables, materialized views).
"""

from __future__ import annotations

from typing import Any, Final

import psycopg

from connectors.results import Column, Stream
from connectors.sql.catalog import StreamBuilder
from connectors.sql.session import SchemaSurvey, TableRef
from connectors.sql.types import postgres_type

__all__ = ["streams", "survey"]

# Schemas that belong to the server, never to users: pg_catalog, pg_toast, pg_temp_N...
_USER_SCHEMA: Final = (
    "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' "
    "AND (cardinality(%(schemas)s::text[]) = 0 OR n.nspname = ANY(%(schemas)s::text[]))"
)
_RELATION: Final = "c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition"
_KINDS: Final = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
}
_BLOCK_SIZE: Final = 8192

# Composed of the constant fragments above only.
_SURVEY_SQL: Final = f"""
SELECT n.nspname,
       count(c.oid),
       CASE WHEN has_schema_privilege(n.oid, 'USAGE')
            THEN count(c.oid) FILTER (WHERE has_table_privilege(c.oid, 'SELECT'))
            ELSE 0 END
FROM pg_catalog.pg_namespace n
LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND {_RELATION}
WHERE {_USER_SCHEMA}
GROUP BY n.oid, n.nspname
ORDER BY n.nspname
"""  # noqa: S608

_RELATIONS_SQL: Final = f"""
SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples::bigint, c.relpages::bigint,
       pk.conkey
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
WHERE {_RELATION} AND {_USER_SCHEMA}
  AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
"""  # noqa: S608

_COLUMNS_SQL: Final = """
SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.attnotnull, a.attidentity <> ''
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = ANY(%(oids)s::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
"""

# A domain is mapped as the type it is based on.
_TYPES_SQL: Final = """
SELECT t.oid,
       format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END, NULL)
FROM pg_catalog.pg_type t
WHERE t.oid = ANY(%(oids)s::oid[])
"""


def _fetch(conn: psycopg.Connection[Any], sql: str, params: dict[str, Any]) -> list[Any]:
    # Binary results: 200,000 column rows arrive about a third faster than as text.
    with conn.cursor(binary=True) as cur:
        cur.execute(sql.encode(), params)
        return cur.fetchall()


def survey(conn: psycopg.Connection[Any], schemas: tuple[str, ...]) -> list[SchemaSurvey]:
    """Per user schema: its tables and views, and how many the user may read."""
    rows = _fetch(conn, _SURVEY_SQL, {"schemas": list(schemas)})
    return [SchemaSurvey(name=r[0], tables=int(r[1]), readable=int(r[2])) for r in rows]


def streams(conn: psycopg.Connection[Any], schemas: tuple[str, ...]) -> list[Stream]:
    """Every table and view of ``schemas`` the user may read, described."""
    relations = _fetch(conn, _RELATIONS_SQL, {"schemas": list(schemas)})
    if not relations:
        return []
    # (attnum, name, type oid, not null, identity) per relation oid.
    columns: dict[int, list[tuple[int, str, int, bool, bool]]] = {r[0]: [] for r in relations}
    type_oids: set[int] = set()
    for relid, attnum, name, typid, notnull, identity in _fetch(
        conn, _COLUMNS_SQL, {"oids": list(columns)}
    ):
        found = columns.get(relid)
        if found is not None:
            found.append((attnum, name, typid, notnull, identity))
            type_oids.add(typid)
    mapped = {
        oid: postgres_type(name)
        for oid, name in _fetch(conn, _TYPES_SQL, {"oids": list(type_oids)})
    }
    builder = StreamBuilder()
    # The same (name, type, not null) recurs across tables: look it up by the raw row first.
    shared: dict[tuple[str, int, bool], Column] = {}
    result = []
    for oid, schema, name, kind, reltuples, relpages, pk_attnums in relations:
        attrs = columns[oid]
        attrs.sort()
        by_number: dict[int, str] = {}
        cols: list[Column] = []
        identities: list[str] = []
        for attnum, col_name, typid, notnull, identity in attrs:
            by_number[attnum] = col_name
            column = shared.get((col_name, typid, notnull))
            if column is None:
                column = builder.column(col_name, mapped.get(typid, "string"), nullable=not notnull)
                shared[col_name, typid, notnull] = column
            cols.append(column)
            if identity:
                identities.append(col_name)
        primary_key = tuple(by_number[n] for n in pk_attnums or () if n in by_number)
        # Only tables and materialized views have storage of their own to estimate.
        stored = kind in ("r", "m")
        result.append(
            builder.stream(
                TableRef(schema, name),
                cols,
                primary_key=primary_key,
                increasing=identities,
                record_estimate=reltuples if stored and reltuples >= 0 else None,
                size_bytes=relpages * _BLOCK_SIZE if stored else None,
                description=_KINDS.get(kind, "table"),
            )
        )
    return result
