"""A canary secret used in conversations appears in no reply, transcript, log line or row.

Searched in plain, base64, URL-encoded and JSON-escaped forms; only the vault's ciphertext
may hold it, and ciphertext does not contain it in any of those forms.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient
from mypy_boto3_s3 import S3Client

from api.logs import configure_logging
from tests.agent.conftest import Chat, person
from tests.support.seaweedfs import SeaweedS3

CANARY = "canary-Secr3t+value/with=odd-chars-91c2"
FORMS = [
    CANARY,
    base64.b64encode(CANARY.encode()).decode(),
    quote(CANARY, safe=""),
    json.dumps(CANARY)[1:-1],
]


def _database_text(path: Path) -> str:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        rows = [repr(row) for t in tables for row in db.execute(f'select * from "{t}"')]  # noqa: S608
    return "\n".join(rows)


async def test_the_canary_is_nowhere_but_ciphertext(
    app_client: TestClient[Any, Any],
    seaweed: SeaweedS3,
    s3_admin: S3Client,
    bucket: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("debug", "json")
    s3_admin.put_object(Bucket=bucket, Key="in/a.csv", Body=b"id\n1\n")
    chat = Chat(app_client, person())
    await chat.start()
    await chat.say("amazon s3")
    # At the wrong prompt, inside key=value, then as the asked secret (which fails the test).
    await chat.say(f"bucket {bucket}, secret_access_key={CANARY}")
    await chat.say(
        f"prefix in/, endpoint {seaweed.endpoint_url}, key id {seaweed.reader.access_key_id}"
    )
    await chat.say(CANARY)
    await chat.say(f"change the secret access key to {CANARY}")
    await chat.say("status")
    await chat.say("cancel")
    await chat.say(f"postgresql://etl:{CANARY}@db.example.com:5432/warehouse")

    view = await chat.view()
    logs = capsys.readouterr().err
    where = {
        "replies": json.dumps(chat.replies),
        "transcript": json.dumps(view),
        "logs": logs,
        "database": _database_text(tmp_path / "ingestion-agent.db"),
    }
    assert chat.replies, "the conversation happened"
    assert "http_request" in logs, "logs were captured"
    for place, text in where.items():
        for form in FORMS:
            assert form not in text, f"canary found in {place}"
