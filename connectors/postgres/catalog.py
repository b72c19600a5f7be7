"""PostgreSQL's catalog, read in two queries for the whole database.

Discovery reads ``pg_catalog`` directly: ``information_schema`` is a tower of views with
per-row privilege checks that takes seconds on a large catalog. Two queries:

1. relations: tables, partitioned tables, views, materialized views and foreign tables
   the user may read, with row and page estimates, the primary key's column numbers and
   the relation's columns (``pg_attribute``) packed into one value, its *layout*;
2. the names of the distinct types those columns use (``format_type``), to map them.

A layout is a ``text[]`` of ``"<code> <name>"`` in column order, the code packing the
column number, type oid, NOT NULL and identity flags into one integer, sent in binary
(``array_send``): one ``bytea`` per relation instead of a row per column, which spared
200,000 rows' worth of Python objects for 10,000 tables. Databases repeat table shapes
(a schema per tenant, a table per month), so each distinct layout is decoded once, and
each distinct layout and primary key becomes columns, key and cursor candidates once.

The privilege checks run on the candidate relations only: left to the planner, they ran
on every ``pg_class`` row (indexes, TOAST tables too), each a catalog lookup in a fresh
backend: 0.1 s of the query for 10,000 tables.

Partitions are left out (their parent is the stream). Row estimates are
``pg_class.reltuples`` (``-1``, never analysed, becomes unknown); sizes are
``relpages`` times the block size, both as of the last VACUUM or ANALYZE, and only for
relations with storage of their own (tables, materialized views).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, NamedTuple

import psycopg
from psycopg.pq import Format

from connectors.results import Column, ColumnType, Stream
from connectors.sql.catalog import StreamBuilder, catalog_stream, collector_paused
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
_STORED: Final = frozenset({"r", "m"})
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

# A column's number (at most 1,664), NOT NULL and identity flags and type oid in one
# integer: one conversion to text per column is the cheapest encoding the server offers.
_ATTNUM_SPAN: Final = 4096
_NOT_NULL: Final = 1
_IDENTITY: Final = 2
_COLUMN_CODE: Final = (
    f"a.attnum + {_ATTNUM_SPAN} * (a.attnotnull::int * {_NOT_NULL}"
    f" + (a.attidentity <> '')::int * {_IDENTITY} + a.atttypid::int8 * 4)"
)

# OFFSET 0 keeps the privilege check out of the subquery, where the planner would test
# every pg_class row before its kind and schema; layouts are built for readable ones.
_RELATIONS_SQL: Final = f"""
SELECT r.nspname, r.relname, r.relkind, r.reltuples, r.relpages, pk.conkey,
       array_send(ARRAY(
           SELECT ({_COLUMN_CODE}) || ' ' || a.attname
           FROM pg_catalog.pg_attribute a
           WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY a.attnum))
FROM (
    SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples::bigint AS reltuples,
           c.relpages::bigint AS relpages
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE {_RELATION} AND {_USER_SCHEMA} AND has_schema_privilege(n.oid, 'USAGE')
    OFFSET 0
) r
LEFT JOIN pg_catalog.pg_constraint pk ON pk.conrelid = r.oid AND pk.contype = 'p'
WHERE has_table_privilege(r.oid, 'SELECT')
"""  # noqa: S608

# A domain is mapped as the type it is based on.
_TYPES_SQL: Final = """
SELECT t.oid,
       format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END, NULL)
FROM pg_catalog.pg_type t
WHERE t.oid = ANY(%(oids)s::oid[])
"""


class _Attribute(NamedTuple):
    number: int
    name: str
    type_oid: int
    not_null: bool
    identity: bool


class _Shape(NamedTuple):
    """What relations of one layout and primary key share."""

    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    cursor_candidates: tuple[str, ...]


def _fetch(conn: psycopg.Connection[Any], sql: str, params: dict[str, Any]) -> list[Any]:
    # Binary results: numbers and arrays arrive without a round trip through text.
    with conn.cursor(binary=True) as cur:
        cur.execute(sql.encode(), params)
        return cur.fetchall()


def survey(conn: psycopg.Connection[Any], schemas: tuple[str, ...]) -> list[SchemaSurvey]:
    """Per user schema: its tables and views, and how many the user may read."""
    rows = _fetch(conn, _SURVEY_SQL, {"schemas": list(schemas)})
    return [SchemaSurvey(name=r[0], tables=int(r[1]), readable=int(r[2])) for r in rows]


def _decode_layouts(
    conn: psycopg.Connection[Any], layouts: Iterable[bytes]
) -> dict[bytes, list[_Attribute]]:
    """Each layout's columns, read by psycopg's own binary ``text[]`` loader."""
    oid = conn.adapters.types["text"].array_oid
    loader = conn.adapters.get_loader(oid, Format.BINARY)
    if loader is None:  # psycopg registers it by default
        raise TypeError("psycopg has no binary text[] loader")
    load = loader(oid, conn).load
    decoded: dict[bytes, list[_Attribute]] = {}
    for layout in layouts:
        attributes = []
        for item in load(layout):
            code, name = item.split(" ", 1)
            flags, number = divmod(int(code), _ATTNUM_SPAN)
            attributes.append(
                _Attribute(
                    number, name, flags >> 2, bool(flags & _NOT_NULL), bool(flags & _IDENTITY)
                )
            )
        decoded[layout] = attributes
    return decoded


def _shape(
    builder: StreamBuilder,
    attributes: list[_Attribute],
    pk_numbers: tuple[int, ...],
    types: dict[int, ColumnType],
) -> _Shape:
    names = {a.number: a.name for a in attributes}
    columns = tuple(
        builder.column(a.name, types.get(a.type_oid, "string"), nullable=not a.not_null)
        for a in attributes
    )
    primary_key = tuple(names[n] for n in pk_numbers if n in names)
    identities = [a.name for a in attributes if a.identity]
    candidates = builder.cursor_candidates(columns, primary_key=primary_key, increasing=identities)
    return _Shape(columns, primary_key, candidates)


def streams(conn: psycopg.Connection[Any], schemas: tuple[str, ...]) -> list[Stream]:
    """Every table and view of ``schemas`` the user may read, described."""
    relations = _fetch(conn, _RELATIONS_SQL, {"schemas": list(schemas)})
    if not relations:
        return []
    with collector_paused():
        layouts = _decode_layouts(conn, {r[6] for r in relations})
        type_oids = {a.type_oid for attributes in layouts.values() for a in attributes}
    types = {
        oid: postgres_type(name)
        for oid, name in _fetch(conn, _TYPES_SQL, {"oids": list(type_oids)})
    }
    with collector_paused():
        return _build(relations, layouts, types)


def _build(
    relations: list[Any], layouts: dict[bytes, list[_Attribute]], types: dict[int, ColumnType]
) -> list[Stream]:
    builder = StreamBuilder()
    shapes: dict[tuple[bytes, tuple[int, ...]], _Shape] = {}
    result = []
    for schema, name, kind, reltuples, relpages, pk_numbers, layout in relations:
        key = (layout, tuple(pk_numbers or ()))
        shape = shapes.get(key)
        if shape is None:
            shape = shapes[key] = _shape(builder, layouts[layout], key[1], types)
        # Only tables and materialized views have storage of their own to estimate.
        stored = kind in _STORED
        result.append(
            catalog_stream(
                TableRef(schema, name).stream,
                shape.columns,
                primary_key=shape.primary_key,
                cursor_candidates=shape.cursor_candidates,
                size_bytes=relpages * _BLOCK_SIZE if stored else None,
                record_estimate=reltuples if stored and reltuples >= 0 else None,
                description=_KINDS.get(kind, "table"),
            )
        )
    return result
