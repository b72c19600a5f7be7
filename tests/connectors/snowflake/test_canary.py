"""No password reaches a check result, an error message or a log line (emulator)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import structlog

from connectors.errors import ConnectorError
from connectors.snowflake import SnowflakeConnector
from tests.connectors.snowflake.emulator import SnowflakeEmulator
from tests.support.ports import free_port

CANARY = "sf-canary-0d7e5c93b4"


async def test_emulator_the_password_appears_nowhere(
    snowflake: SnowflakeConnector,
    sf_config: dict[str, Any],
    emulator: SnowflakeEmulator,
    capfd: pytest.CaptureFixture[str],
) -> None:
    secrets = {"username": "reader", "password": CANARY}
    configs = [sf_config, {**sf_config, "port": free_port()}, {**sf_config, "database": "nowhere"}]
    seen: list[str] = []
    with structlog.testing.capture_logs() as logs:
        for config in configs:
            seen.append(
                json.dumps((await snowflake.check(config, secrets)).model_dump(mode="json"))
            )
            try:
                await snowflake.discover(config, secrets)
            except ConnectorError as exc:
                seen.extend([str(exc), exc.message, repr(exc.__cause__)])
    captured = capfd.readouterr()

    everything = "\n".join(
        [
            *seen,
            json.dumps(logs, default=str),
            json.dumps(emulator.logins),
            captured.out,
            captured.err,
        ]
    )
    assert CANARY not in everything
