"""Alembic environment: migrations run with a blocking driver, from ``connections.db``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool, text

from connections.db.models import Base

config = context.config
target_metadata = Base.metadata
# The advisory lock key of our migrations (any constant; other applications' keys differ).
_MIGRATION_LOCK = 0x1A_6E_A7_00_01


def run_migrations_offline() -> None:
    """Emit SQL without a connection (``alembic upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Apply migrations over a connection."""
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        # Batch mode lets ALTER TABLE work on SQLite, which rebuilds tables instead.
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Processes starting together on a fresh database would each create the
                # tables; the lock makes the others wait and then find the schema current.
                # Held to the end of the transaction (PostgreSQL migrates in one).
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
