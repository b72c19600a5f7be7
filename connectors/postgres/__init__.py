"""The PostgreSQL connector (psycopg 3 through SQLAlchemy 2)."""

from connectors.postgres.config import PostgresConfig
from connectors.postgres.connector import PostgresConnector

__all__ = ["PostgresConfig", "PostgresConnector"]
