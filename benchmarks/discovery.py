"""Discovery of wide databases: our connectors against a raw catalog query and SQLAlchemy.

    python -m benchmarks.discovery              # 10,000 PostgreSQL tables, 5,000 MariaDB tables
    python -m benchmarks.discovery --tables 1000 --mysql-tables 500   # a smoke run

The tables (20 columns each) are created once in the databases ``bench_discovery`` on the
local PostgreSQL and MariaDB servers and kept for later runs; ``--drop`` removes them.
Each row is the best of ``--repeat`` runs. Prints one JSON line with the figures last.

Compared in the same run:
- the floor: one catalog query for every column of the schema through ``psql`` / ``mysql``
  (the client's start-up included, output discarded);
- SQLAlchemy's batched ``Inspector.get_multi_columns`` (PostgreSQL);
- the common approach: ``Inspector.get_columns`` table by table (on a sample of tables,
  scaled up to the whole schema, since the whole loop takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pymysql
import sqlalchemy as sa

from connectors.base import ConnectorContext
from connectors.guard import NetworkPolicy
from connectors.registry import default_registry

PG = {"host": "127.0.0.1", "port": 5432, "username": "postgres", "password": "unused"}
MY = {"host": "127.0.0.1", "port": 3306, "username": "root", "password": ""}
DB = "bench_discovery"
SCHEMA = "wide"
COLUMNS = 20
SAMPLE = 200
LOOPBACK = NetworkPolicy.from_string("127.0.0.0/8")

PG_FLOOR = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'wide' AND c.relkind IN ('r', 'v', 'p') AND a.attnum > 0
  AND NOT a.attisdropped
"""
MY_FLOOR = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = 'bench_discovery'
"""


def _best(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def _columns_ddl(dialect: str) -> str:
    stamp = "timestamptz" if dialect == "pg" else "datetime"
    cols = ["id bigint primary key", f"updated_at {stamp}"]
    cols += [f"c{i:02d} varchar(40)" for i in range(COLUMNS - 2)]
    return ", ".join(cols)


# -- PostgreSQL ------------------------------------------------------------------------------


def _pg_url(database: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"


def _pg_prepare(tables: int) -> None:
    admin = sa.create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DB}):
            conn.execute(sa.text(f"CREATE DATABASE {DB}"))
    admin.dispose()
    engine = sa.create_engine(_pg_url(DB), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        have = conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = :s AND c.relkind = 'r'"
            ),
            {"s": SCHEMA},
        )
        if have != tables:
            print(f"  creating {tables:,} PostgreSQL tables…", file=sys.stderr, flush=True)
            conn.execute(sa.text(f"DROP SCHEMA {SCHEMA} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
            ddl = _columns_ddl("pg")
            for start in range(0, tables, 500):
                batch = "".join(
                    f"CREATE TABLE {SCHEMA}.t{i:05d} ({ddl});"
                    for i in range(start, min(tables, start + 500))
                )
                conn.execute(sa.text(batch))
            conn.execute(sa.text("ANALYZE"))
    engine.dispose()


def _pg_floor() -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB, "-qAt", "-c", PG_FLOOR],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _pg_inspector_batched() -> int:
    engine = sa.create_engine(_pg_url(DB))
    try:
        columns = sa.inspect(engine).get_multi_columns(schema=SCHEMA)
        sa.inspect(engine).get_multi_pk_constraint(schema=SCHEMA)
        return len(columns)
    finally:
        engine.dispose()


def _inspector_loop(url: str, schema: str | None) -> int:
    """``get_columns`` table by table on a sample; returns how many tables it inspected."""
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        names = inspector.get_table_names(schema=schema)[:SAMPLE]
        for name in names:
            inspector.get_columns(name, schema=schema)
            inspector.get_pk_constraint(name, schema=schema)
        return len(names)
    finally:
        engine.dispose()


# -- MariaDB ---------------------------------------------------------------------------------


def _my_prepare(tables: int) -> None:
    conn = pymysql.connect(host="127.0.0.1", user="root", autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE IF NOT EXISTS {DB}")
            cur.execute(
                "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s", (DB,)
            )
            (have,) = cur.fetchone() or (0,)
            if have != tables:
                print(f"  creating {tables:,} MariaDB tables…", file=sys.stderr, flush=True)
                cur.execute(f"DROP DATABASE {DB}")
                cur.execute(f"CREATE DATABASE {DB}")
                ddl = _columns_ddl("my")
                for i in range(tables):
                    cur.execute(f"CREATE TABLE {DB}.t{i:05d} ({ddl})")
    finally:
        conn.close()


def _my_floor() -> None:
    subprocess.run(
        ["mysql", "-h", "127.0.0.1", "-u", "root", "-N", "-B", "-e", MY_FLOOR],
        check=True,
        stdout=subprocess.DEVNULL,
    )


# -- ours ------------------------------------------------------------------------------------


def _split(type_: str, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Config and secrets as the connector's spec divides them."""
    spec = default_registry()[type_].spec
    credential = {f.name for f in spec.fields if f.credential}
    config = {k: v for k, v in values.items() if k not in credential}
    secrets = {k: v for k, v in values.items() if k in credential}
    return config, secrets


def _ours(type_: str, values: dict[str, Any]) -> int:
    connector = default_registry().create(type_, ConnectorContext(network=LOOPBACK, timeout=60))
    config, secrets = _split(type_, values)
    catalog = asyncio.run(connector.discover(config, secrets))
    return len(catalog.streams)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=10_000, help="PostgreSQL tables")
    parser.add_argument("--mysql-tables", type=int, default=5_000, help="MariaDB tables")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--drop", action="store_true", help="drop the benchmark databases")
    args = parser.parse_args(argv)
    if args.drop:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {DB}"],
            check=True,
        )
        subprocess.run(
            ["mysql", "-h", "127.0.0.1", "-u", "root", "-e", f"DROP DATABASE IF EXISTS {DB}"],
            check=True,
        )
        return 0
    _pg_prepare(args.tables)
    _my_prepare(args.mysql_tables)
    pg_values = {**PG, "database": DB, "schemas": SCHEMA}
    my_values = {**MY, "database": DB}
    results: dict[str, Any] = {"pg_tables": args.tables, "my_tables": args.mysql_tables}

    results["pg_ours"], streams = _best(args.repeat, lambda: _ours("POSTGRES", pg_values))
    assert streams == args.tables, f"PostgreSQL discovery found {streams} streams"  # noqa: S101
    results["pg_floor"], _ = _best(args.repeat, _pg_floor)
    results["pg_batched"], _ = _best(1, _pg_inspector_batched)
    seconds, sampled = _best(1, lambda: _inspector_loop(_pg_url(DB), SCHEMA))
    results["pg_loop"] = seconds / sampled * args.tables

    results["my_ours"], streams = _best(args.repeat, lambda: _ours("MYSQL", my_values))
    assert streams == args.mysql_tables, f"MariaDB discovery found {streams} streams"  # noqa: S101
    results["my_floor"], _ = _best(args.repeat, _my_floor)
    my_url = f"mysql+pymysql://root@127.0.0.1:3306/{DB}"
    seconds, sampled = _best(1, lambda: _inspector_loop(my_url, None))
    results["my_loop"] = seconds / sampled * args.mysql_tables
    print(json.dumps(results))
    return 0


def render(r: dict[str, Any]) -> str:
    """The results as a markdown table."""

    def row(*cells: object) -> str:
        return "| " + " | ".join(str(c) for c in cells) + " |"

    pg_ratio = r["pg_ours"] / r["pg_floor"]
    lines = [
        f"**Discovery** of {r['pg_tables']:,} PostgreSQL tables and {r['my_tables']:,} MariaDB "
        f"tables, {COLUMNS} columns each (best of runs; loops measured on {SAMPLE} tables and "
        "scaled)",
        "",
        row("database", "method", "seconds", "vs floor", "target"),
        "|---|---|---:|---:|---|",
        row(
            "PostgreSQL",
            "**ours** (`discover`: catalog, PKs, cursor candidates, estimates)",
            f"{r['pg_ours']:.2f}",
            f"{pg_ratio:.1f}x",
            f"< 1.5 s: {'met' if r['pg_ours'] < 1.5 else 'MISSED'}; ≤ 3x floor: "
            f"{'met' if pg_ratio <= 3 else 'MISSED'}",
        ),
        row(
            "PostgreSQL",
            "floor: one `pg_catalog` query through `psql`",
            f"{r['pg_floor']:.2f}",
            "1x",
            "",
        ),
        row(
            "PostgreSQL",
            "SQLAlchemy `get_multi_columns` + `get_multi_pk_constraint`",
            f"{r['pg_batched']:.2f}",
            f"{r['pg_batched'] / r['pg_floor']:.1f}x",
            "",
        ),
        row(
            "PostgreSQL",
            "common approach: `Inspector.get_columns` per table",
            f"{r['pg_loop']:.1f}",
            f"{r['pg_loop'] / r['pg_floor']:.0f}x",
            "",
        ),
        row(
            "MariaDB",
            "**ours** (`discover`)",
            f"{r['my_ours']:.2f}",
            f"{r['my_ours'] / r['my_floor']:.1f}x",
            f"< 2 s: {'met' if r['my_ours'] < 2 else 'MISSED'}",
        ),
        row(
            "MariaDB",
            "floor: one `information_schema` query through `mysql`",
            f"{r['my_floor']:.2f}",
            "1x",
            "",
        ),
        row(
            "MariaDB",
            "common approach: `Inspector.get_columns` per table",
            f"{r['my_loop']:.1f}",
            f"{r['my_loop'] / r['my_floor']:.0f}x",
            "",
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
