"""Database fixtures for the connection service: SQLite and PostgreSQL, both migrated by Alembic.

A test that takes ``db`` runs once per backend, with the ids ``sqlite`` and ``postgres``.
PostgreSQL is the real server on 127.0.0.1:5432 (``INGESTION_AGENT_TEST_POSTGRES_URL`` points
elsewhere); each test session creates its own database there and drops it at the end. When
the server cannot be reached the tests fail: a skipped database test hides a broken setup.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from ulid import ULID

from connections.db.engine import create_engine, migrate, session_factory
from connections.db.models import Base

POSTGRES_ADMIN_URL = os.environ.get(
    "INGESTION_AGENT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgres"]


def _libpq(url: str) -> str:
    """``url`` as psycopg takes it (no ``+driver`` suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        where = make_url(POSTGRES_ADMIN_URL).render_as_string(hide_password=True)
        pytest.fail(f"PostgreSQL is not reachable at {where} (see README to start it): {exc}")


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file for the whole test session."""
    path: Path = tmp_path_factory.mktemp("sqlite") / "connections.db"
    url = f"sqlite:///{path}"
    migrate(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this test session, dropped at its end."""
    name = f"ia_test_{str(ULID()).lower()}"
    with _admin_connection() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with _admin_connection() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session", params=BACKENDS)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    """An async engine on each backend in turn (ids ``sqlite``, ``postgres``)."""
    # Looked up lazily so that `-k sqlite` never needs the PostgreSQL server.
    url: str = request.getfixturevalue(f"{request.param}_url")
    async_engine = create_engine(url)
    yield async_engine
    await async_engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory the service uses, on the current backend."""
    return session_factory(engine)


@pytest.fixture
async def db(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[AsyncSession]:
    """A session for one test; every table is emptied afterwards."""
    async with sessions() as session:
        yield session
        await session.rollback()
    # Some code under test commits (vault rotation does), so rolling back is not enough.
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
