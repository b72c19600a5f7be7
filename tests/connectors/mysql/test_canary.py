"""No password reaches a check result, an error message, a log line or the process output."""

from __future__ import annotations

import json
from typing import Any

import pytest
import structlog

from connectors.errors import ConnectorError
from connectors.mysql import MySqlConnector
from tests.connectors.mysql.conftest import MyDatabases
from tests.support.ports import free_port

CANARY = "my-canary-8c3f0a61d2"


async def test_the_password_appears_nowhere(
    my: MySqlConnector, my_db: MyDatabases, capfd: pytest.CaptureFixture[str]
) -> None:
    bad: list[tuple[dict[str, Any], dict[str, str]]] = [
        (my_db.config(), my_db.secrets(password=CANARY)),
        (my_db.config(database="ia_no_such_database"), my_db.secrets(password=CANARY)),
        (my_db.config(port=free_port()), my_db.secrets(password=CANARY)),
        (my_db.config(sslmode="required"), my_db.secrets(password=CANARY)),
    ]
    seen: list[str] = []
    with structlog.testing.capture_logs() as logs:
        for config, secrets in bad:
            result = await my.check(config, secrets)
            seen.append(json.dumps(result.model_dump(mode="json")))
            try:
                await my.discover(config, secrets)
            except ConnectorError as exc:
                seen.extend([str(exc), exc.message, repr(exc.__cause__)])
            try:
                seen.extend(
                    [repr(m) async for m in my.read(config, secrets, [f"{my_db.shop}.orders"])]
                )
            except ConnectorError as exc:
                seen.extend([str(exc), exc.message, repr(exc.__cause__)])
    captured = capfd.readouterr()

    everything = "\n".join([*seen, json.dumps(logs, default=str), captured.out, captured.err])
    assert CANARY not in everything
