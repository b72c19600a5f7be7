"""What the database connectors share: config pieces, the connector flow, reads with state.

Modules:
    config: The login model, the config models' base, validators of hosts, schema lists
        and cursor choices.
    connector: :class:`SqlConnector`, check / discover / read / preview for every database.
    session: :class:`DatabaseSession`, what each database implements; stream names.
    engine: :class:`EngineSession`, what the sessions opened through SQLAlchemy share.
    catalog: Building streams cheaply from catalog rows.
    cursors: Ranking cursor candidates.
    types: Native types mapped to catalog column types.
    reading: Batched reads, full refresh or incremental, with checkpoints.
    state: The per-stream state kept between reads.
    values: Database values made JSON-safe.
    errors: Classified failures with plain messages.
"""

from connectors.sql.config import DatabaseConfig, DatabaseSecrets, ExtractFormat
from connectors.sql.connector import SqlConnector
from connectors.sql.cursors import CursorFacts, cursor_candidates
from connectors.sql.engine import EngineSession
from connectors.sql.reading import ReadSettings
from connectors.sql.session import DatabaseSession, Purpose, Survey, TableRef
from connectors.sql.state import StreamState
from connectors.sql.values import json_safe

__all__ = [
    "CursorFacts",
    "DatabaseConfig",
    "DatabaseSecrets",
    "DatabaseSession",
    "EngineSession",
    "ExtractFormat",
    "Purpose",
    "ReadSettings",
    "SqlConnector",
    "StreamState",
    "Survey",
    "TableRef",
    "cursor_candidates",
    "json_safe",
]
