"""PostgreSQL discovery reads each table's columns as one packed value: names survive it."""

from __future__ import annotations

import pytest

from connectors.postgres import PostgresConnector
from connectors.results import Catalog, Column
from tests.connectors.postgres.conftest import PgDatabase

ODD_NAMES = ["with space", "7 leading digit", 'quo"te', "comma,semi;colon", "é 中", "new\nline"]


@pytest.fixture(scope="module")
def _odd_tables(pg_db: PgDatabase) -> None:
    columns = ", ".join(f'"{n.replace(chr(34), chr(34) * 2)}" text' for n in ODD_NAMES)
    pg_db.execute(
        f"CREATE TABLE public.odd (id integer, {columns})",
        # A dropped column leaves a gap in the column numbers the key refers to.
        "CREATE TABLE public.gap (gone integer, code text, at timestamptz, PRIMARY KEY (code))",
        "ALTER TABLE public.gap DROP COLUMN gone",
        # Alike columns, different keys: each table keeps its own.
        "CREATE TABLE public.same_a (a integer NOT NULL, b integer NOT NULL, PRIMARY KEY (a))",
        "CREATE TABLE public.same_b (a integer NOT NULL, b integer NOT NULL, PRIMARY KEY (b))",
        "CREATE TABLE public.same_c (a integer NOT NULL, b integer NOT NULL)",
        "CREATE TABLE public.nothing ()",
    )


@pytest.fixture
async def catalog(_odd_tables: None, pg: PostgresConnector, pg_db: PgDatabase) -> Catalog:
    return await pg.discover(pg_db.config(schemas="public"), pg_db.secrets())


def test_column_names_with_spaces_quotes_and_newlines_are_kept(catalog: Catalog) -> None:
    assert [c.name for c in catalog.stream("public.odd").columns] == ["id", *ODD_NAMES]


def test_a_dropped_column_leaves_the_rest_and_the_key(catalog: Catalog) -> None:
    gap = catalog.stream("public.gap")

    assert gap.columns == (
        Column(name="code", type="string", nullable=False),
        Column(name="at", type="timestamp", nullable=True),
    )
    assert gap.primary_key == ("code",)


def test_tables_of_one_shape_keep_their_own_keys(catalog: Catalog) -> None:
    assert catalog.stream("public.same_a").primary_key == ("a",)
    assert catalog.stream("public.same_b").primary_key == ("b",)
    assert catalog.stream("public.same_c").primary_key == ()
    assert catalog.stream("public.same_a").cursor_candidates == ("a",)
    assert catalog.stream("public.same_b").cursor_candidates == ("b",)
    assert catalog.stream("public.same_c").cursor_candidates == ()


def test_a_table_without_columns_is_a_stream_without_columns(catalog: Catalog) -> None:
    assert catalog.stream("public.nothing").columns == ()
