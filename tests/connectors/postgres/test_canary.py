"""No password reaches a check result, an error message, a log line or the process output."""

from __future__ import annotations

import json
from typing import Any

import pytest
import structlog

from connectors.errors import ConnectorError
from connectors.postgres import PostgresConnector
from tests.connectors.postgres.conftest import PgDatabase
from tests.support.ports import free_port

CANARY = "pg-canary-4b1d9e2f7a"


def _bad_configs(pg_db: PgDatabase) -> list[tuple[dict[str, Any], dict[str, str]]]:
    return [
        (pg_db.config(), pg_db.secrets(pg_db.no_login, CANARY)),
        (pg_db.config(), pg_db.secrets(pg_db.no_grants, CANARY)),
        (pg_db.config(database="ia_no_such_database"), pg_db.secrets(password=CANARY)),
        (pg_db.config(port=free_port()), pg_db.secrets(password=CANARY)),
        (pg_db.config(sslmode="verify-full"), pg_db.secrets(password=CANARY)),
        (pg_db.config(), pg_db.secrets(password=CANARY)),
    ]


async def test_the_password_appears_nowhere(
    pg: PostgresConnector, pg_db: PgDatabase, capfd: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []
    with structlog.testing.capture_logs() as logs:
        for config, secrets in _bad_configs(pg_db):
            result = await pg.check(config, secrets)
            seen.append(json.dumps(result.model_dump(mode="json")))
            for call in (
                pg.discover(config, secrets),
                pg.preview(config, secrets, "sales.orders", 1),
            ):
                try:
                    seen.append(repr(await call))
                except ConnectorError as exc:
                    seen.extend([str(exc), exc.message, repr(exc.__cause__)])
            try:
                seen.extend([repr(m) async for m in pg.read(config, secrets, ["sales.orders"])])
            except ConnectorError as exc:
                seen.extend([str(exc), exc.message])
    captured = capfd.readouterr()

    everything = "\n".join([*seen, json.dumps(logs, default=str), captured.out, captured.err])
    assert CANARY not in everything
