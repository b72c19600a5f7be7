"""The MySQL / MariaDB connector (PyMySQL through SQLAlchemy 2)."""

from connectors.mysql.config import MySqlConfig
from connectors.mysql.connector import MySqlConnector

__all__ = ["MySqlConfig", "MySqlConnector"]
