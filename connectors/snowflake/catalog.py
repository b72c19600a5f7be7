"""Snowflake's catalog, read with ``SHOW`` commands, the widest first.

``SHOW ... IN DATABASE`` answers from metadata in tens of milliseconds where the same
question to ``information_schema`` takes seconds, but a SHOW command returns at most
10,000 rows, silently. So each question is asked as widely as possible and narrowed only
when an answer hits that cap:

- tables: ``SHOW TABLES IN DATABASE``; at the cap, ``information_schema.tables``;
- views: ``SHOW VIEWS IN DATABASE``; at the cap, ``information_schema.views``;
- columns: ``SHOW COLUMNS IN DATABASE``; at the cap, ``SHOW COLUMNS IN SCHEMA`` for each
  schema; a schema that hits the cap too, ``information_schema.columns`` for it;
- primary keys: ``SHOW PRIMARY KEYS IN DATABASE``; at the cap, or where the database-wide
  form is not supported (some Snowflake-compatible engines, the emulator our tests use,
  answer only per schema), ``SHOW PRIMARY KEYS IN SCHEMA`` for each schema.

Tables and views whose schema is not among those asked for are dropped here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import structlog

from connectors.results import Column, Stream
from connectors.sql.catalog import StreamBuilder
from connectors.sql.session import TableRef
from connectors.sql.types import snowflake_type

__all__ = ["SHOW_CAP", "quote", "read_catalog"]

log = structlog.get_logger(__name__)

SHOW_CAP: Final = 10_000
_SYSTEM_SCHEMA: Final = "INFORMATION_SCHEMA"

Row = dict[str, Any]
Query = Callable[[str, Sequence[Any]], list[Row]]
"""Runs SQL with parameters; rows as dicts keyed by lower-case column names."""


def quote(name: str) -> str:
    """A Snowflake identifier, double-quoted: used exactly as stored."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class _Found:
    """What the SHOW commands found, keyed by (schema, name)."""

    relations: dict[tuple[str, str], tuple[str, int | None, int | None]] = field(
        default_factory=dict
    )
    columns: dict[tuple[str, str], list[tuple[str, str, int | None, bool, bool]]] = field(
        default_factory=dict
    )
    keys: dict[tuple[str, str], list[tuple[int, str]]] = field(default_factory=dict)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


class _Reader:
    def __init__(self, run: Query, database: str, schemas: tuple[str, ...], cap: int) -> None:
        self.run = run
        self.db = quote(database)
        self.schemas = schemas
        self.wanted = {s.casefold() for s in schemas}
        self.cap = cap
        self.catalog = _Found()

    def keep(self, schema: str) -> bool:
        if schema.upper() == _SYSTEM_SCHEMA:
            return False
        return not self.wanted or schema.casefold() in self.wanted

    def show(self, sql: str) -> tuple[list[Row], bool]:
        rows = self.run(sql, ())
        return rows, len(rows) >= self.cap

    # -- tables and views -------------------------------------------------------------

    def relations(self) -> None:
        tables, capped = self.show(f"SHOW TABLES IN DATABASE {self.db}")
        if capped:
            log.info("snowflake_show_capped", what="tables")
            tables = self.run(
                "SELECT table_schema AS schema_name, table_name AS name, "  # noqa: S608
                f"row_count AS rows, bytes FROM {self.db}.information_schema.tables "
                "WHERE table_schema <> %s AND table_type NOT IN ('VIEW', 'MATERIALIZED VIEW')",
                (_SYSTEM_SCHEMA,),
            )
        for row in tables:
            self._relation(row["schema_name"], row["name"], "table", row.get("rows"), row)
        views, capped = self.show(f"SHOW VIEWS IN DATABASE {self.db}")
        if capped:
            log.info("snowflake_show_capped", what="views")
            views = self.run(
                "SELECT table_schema AS schema_name, table_name AS name "  # noqa: S608
                f"FROM {self.db}.information_schema.views WHERE table_schema <> %s",
                (_SYSTEM_SCHEMA,),
            )
        for row in views:
            kind = "materialized view" if _yes(row.get("is_materialized")) else "view"
            self._relation(row["schema_name"], row["name"], kind, None, row)

    def _relation(self, schema: str, name: str, kind: str, rows: Any, row: Row) -> None:
        if self.keep(schema):
            size = _int(row.get("bytes")) if kind == "table" else None
            self.catalog.relations[(schema, name)] = (kind, _int(rows), size)

    # -- columns ------------------------------------------------------------------------

    def columns(self) -> None:
        rows, capped = self.show(f"SHOW COLUMNS IN DATABASE {self.db}")
        if not capped:
            self._show_columns(rows)
            return
        log.info("snowflake_show_capped", what="columns")
        for schema in self._schema_names():
            rows, capped = self.show(f"SHOW COLUMNS IN SCHEMA {self.db}.{quote(schema)}")
            if capped:
                self._columns_from_information_schema(schema)
            else:
                self._show_columns(rows)

    def _show_columns(self, rows: list[Row]) -> None:
        for row in rows:
            schema, table = row["schema_name"], row["table_name"]
            if not self.keep(schema):
                continue
            kind, scale = _show_type(row.get("data_type"))
            nullable = str(row.get("null?", "true")).lower() != "false"
            increasing = bool(str(row.get("autoincrement") or "").strip())
            self.catalog.columns.setdefault((schema, table), []).append(
                (row["column_name"], kind, scale, nullable, increasing)
            )

    def _columns_from_information_schema(self, schema: str) -> None:
        sql = (
            "SELECT table_name, column_name, data_type, numeric_scale, is_nullable, "  # noqa: S608
            "is_identity FROM "
            f"{self.db}.information_schema.columns WHERE table_schema = %s "
            "ORDER BY table_name, ordinal_position"
        )
        for row in self.run(sql, (schema,)):
            self.catalog.columns.setdefault((schema, row["table_name"]), []).append(
                (
                    row["column_name"],
                    str(row["data_type"]),
                    _int(row.get("numeric_scale")),
                    _yes(row.get("is_nullable")),
                    _yes(row.get("is_identity")),
                )
            )

    def _schema_names(self) -> list[str]:
        found = {schema for schema, _ in self.catalog.relations}
        return sorted(found)

    # -- primary keys -------------------------------------------------------------------

    def primary_keys(self) -> None:
        # Imported here: this module is loaded with the registry, the connector is slow to.
        from snowflake.connector import errors as sf_errors  # noqa: PLC0415

        try:
            rows, capped = self.show(f"SHOW PRIMARY KEYS IN DATABASE {self.db}")
        except sf_errors.ProgrammingError:
            rows, capped = [], True
        if capped:
            rows = []
            for schema in self._schema_names():
                rows.extend(self.run(f"SHOW PRIMARY KEYS IN SCHEMA {self.db}.{quote(schema)}", ()))
        for row in rows:
            key = (row["schema_name"], row["table_name"])
            if key in self.catalog.relations:
                seq = _int(row.get("key_sequence")) or 0
                self.catalog.keys.setdefault(key, []).append((seq, row["column_name"]))


def _yes(value: Any) -> bool:
    return str(value).strip().upper() in ("Y", "YES", "TRUE", "1")


def _show_type(data_type: Any) -> tuple[str, int | None]:
    """SHOW COLUMNS describes a type as JSON: ``{"type": "FIXED", "scale": 2, ...}``."""
    try:
        described = json.loads(str(data_type))
    except ValueError:
        return str(data_type), None
    if not isinstance(described, dict):
        return str(data_type), None
    return str(described.get("type", "")), _int(described.get("scale"))


def read_catalog(
    run: Query, database: str, schemas: tuple[str, ...], *, cap: int = SHOW_CAP
) -> list[Stream]:
    """Every table and view of ``schemas`` (all but INFORMATION_SCHEMA when empty).

    Args:
        run: Executes one statement.
        database: The database as stored (``CURRENT_DATABASE()``).
        schemas: Schemas to keep; empty for all.
        cap: SHOW's row limit (lowered by tests to exercise the narrowing).
    """
    reader = _Reader(run, database, schemas, cap)
    reader.relations()
    if not reader.catalog.relations:
        return []
    reader.columns()
    reader.primary_keys()
    builder = StreamBuilder()
    streams = []
    for (schema, name), (kind, rows, size) in reader.catalog.relations.items():
        cols: list[Column] = []
        increasing = []
        for col_name, type_name, scale, nullable, grows in reader.catalog.columns.get(
            (schema, name), ()
        ):
            cols.append(
                builder.column(col_name, snowflake_type(type_name, scale), nullable=nullable)
            )
            if grows:
                increasing.append(col_name)
        keys = reader.catalog.keys.get((schema, name), [])
        streams.append(
            builder.stream(
                TableRef(schema, name),
                cols,
                primary_key=tuple(n for _, n in sorted(keys)),
                increasing=increasing,
                record_estimate=rows,
                size_bytes=size,
                description=kind,
            )
        )
    return streams
