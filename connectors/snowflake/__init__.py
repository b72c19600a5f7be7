"""The Snowflake connector (snowflake-connector-python 4.x, without SQLAlchemy)."""

from connectors.snowflake.config import SnowflakeConfig
from connectors.snowflake.connector import SnowflakeConnector

__all__ = ["SnowflakeConfig", "SnowflakeConnector"]
