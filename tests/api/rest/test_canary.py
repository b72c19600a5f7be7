"""Canary secrets go in through every door of the API and come out nowhere.

A scenario per database creates S3 and webhook sources and sinks with unique canary
secrets, fails a create and a change with one, stages one through ``/secrets``, checks,
tests, previews, lists and replays. Then every response (body and headers), every log line
the real JSON pipeline wrote, and every row of every table is searched for each canary in
its plain, base64, URL-encoded and JSON-escaped forms. The vault's ciphertext is the only
place a canary may live, which the last test proves by decrypting it.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterable
from contextlib import redirect_stderr
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import structlog
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Connection
from ulid import ULID

from api.logs import configure_logging
from tests.api.rest.conftest import Backend
from tests.api.rest.support import (
    Api,
    Receiver,
    s3_body,
    unique,
    webhook_sink_body,
    webhook_source_body,
)
from tests.support.seaweedfs import SeaweedS3


def canary(label: str) -> str:
    return f"canary-{label}-{str(ULID()).lower()}"


def forms(secret: str) -> set[str]:
    """The ways a secret leaks: as is, base64, URL-encoded, JSON-escaped."""
    raw = secret.encode()
    return {
        secret,
        base64.b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode(),
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        json.dumps(secret)[1:-1],
    }


@dataclass(frozen=True)
class Evidence:
    """What the scenario left behind, and where each canary went in."""

    canaries: dict[str, str]
    secret_refs: dict[str, str]
    responses: list[str]
    log_text: str
    rows: list[tuple[str, dict[str, Any]]]
    tenant: str

    def leaks(self, places: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
        """(canary, form, place) for every form of every canary found in ``places``."""
        found = []
        for where, text in places:
            for name, secret in self.canaries.items():
                found += [(name, form, where) for form in forms(secret) if form in text]
        return found


def dump_tables(connection: Connection) -> list[tuple[str, dict[str, Any]]]:
    """Every row of every table, reflected from the database itself."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return [
        (table.name, dict(row._mapping))
        for table in metadata.sorted_tables
        for row in connection.execute(select(table))
    ]


def as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


@pytest.fixture(scope="module")
async def evidence(
    backend: Backend, seaweed: SeaweedS3, stocked_bucket: str, shared_receiver: Receiver
) -> Evidence:
    secrets = {
        "auth_header": f"Bearer {canary('auth')}",
        "signing_secret": "whsec_" + base64.b64encode(canary("sign").encode()).decode(),
        "failed_s3_key": canary("s3-bad"),
        "patched_s3_key": canary("s3-patch"),
        "staged": f"Bearer {canary('staged')}",
        "checked": canary("check"),
        "idempotent": f"Bearer {canary('idem')}",
        # Not a canary we made up, but a real working key: it must not leak either.
        "s3_admin_key": seaweed.admin.secret_access_key,
    }
    api = Api(client=backend.client, tenant=unique("tenant-canary"))
    saved_config = structlog.get_config()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    log = io.StringIO()
    try:
        with redirect_stderr(log):
            configure_logging("debug", "json")
            refs = await _scenario(api, secrets, seaweed, stocked_bucket, shared_receiver)
    finally:
        structlog.configure(**saved_config)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    async with backend.service.deps.database() as db:
        connection = await db.connection()
        rows = await connection.run_sync(dump_tables)
    return Evidence(
        canaries=secrets,
        secret_refs=refs,
        responses=[f"{r.status} {r.headers} {r.text}" for r in api.replies],
        log_text=log.getvalue(),
        rows=rows,
        tenant=api.tenant,
    )


async def _scenario(
    api: Api, secrets: dict[str, str], seaweed: SeaweedS3, bucket: str, receiver: Receiver
) -> dict[str, str]:
    """Send every canary through the API; return the secret references that hold them."""
    agent = (await api.create_agent("Canary"))["id"]
    sources = f"/api/v1/agents/{agent}/data-sources"
    feed_url = receiver.url("/exports/products.csv")

    feed = await api.create_source(
        agent, webhook_source_body(feed_url, auth_header=secrets["auth_header"])
    )
    sink = await api.create_source(
        agent, webhook_sink_body(receiver.url("/results"), signing_secret=secrets["signing_secret"])
    )
    s3 = await api.create_source(agent, s3_body(seaweed, bucket, name="Canary S3"))

    bad = s3_body(seaweed, bucket, name="Bad S3")
    bad["secret"]["secretAccessKey"] = secrets["failed_s3_key"]
    assert (await api.post(sources, bad)).status == 422
    patched = await api.patch(
        f"{sources}/{s3['id']}", {"secret": {"secretAccessKey": secrets["patched_s3_key"]}}
    )
    assert patched.status == 422

    staged = await api.post(
        "/api/v1/secrets", {"type": "WEBHOOK", "values": {"authHeader": secrets["staged"]}}
    )
    assert staged.status == 201, staged.text
    from_ref = webhook_source_body(feed_url, name="From staged")
    from_ref["secretRef"] = staged.json["secretRef"]
    by_ref = await api.create_source(agent, from_ref)

    check = {"type": "S3", "config": s3["config"], "secret": {"accessKeyId": "AKIAX" * 4}}
    check["secret"]["secretAccessKey"] = secrets["checked"]
    assert (await api.post(f"/api/v1/agents/{agent}/connection-checks", check)).status == 200

    replayed = webhook_source_body(feed_url, auth_header=secrets["idempotent"], name="Replayed")
    key = {"Idempotency-Key": unique("canary")}
    first = await api.post(sources, replayed, headers=key)
    again = await api.post(sources, replayed, headers=key)
    assert (first.status, again.headers.get("Idempotent-Replayed")) == (201, "true")

    for saved in (feed, sink, s3, by_ref, first.json):
        assert (await api.post(f"{sources}/{saved['id']}/test")).status == 200
        assert (await api.get(f"{sources}/{saved['id']}")).status == 200
    assert (await api.post(f"{sources}/{feed['id']}/preview", {"limit": 3})).status == 200
    assert (await api.get(sources)).status == 200
    return {
        "auth_header": feed["secretRef"],
        "signing_secret": sink["secretRef"],
        "staged": by_ref["secretRef"],
        "idempotent": first.json["secretRef"],
    }


def test_no_response_carries_a_canary(evidence: Evidence) -> None:
    assert len(evidence.responses) > 20
    places = [(f"response {i}", text) for i, text in enumerate(evidence.responses)]

    assert evidence.leaks(places) == []


def test_no_log_line_carries_a_canary(evidence: Evidence) -> None:
    lines = [json.loads(line) for line in evidence.log_text.splitlines() if line.strip()]
    assert sum(line.get("event") == "http_request" for line in lines) > 20

    assert evidence.leaks([("log", evidence.log_text)]) == []


def test_no_database_row_carries_a_canary_in_the_clear(evidence: Evidence) -> None:
    tables = {table for table, _ in evidence.rows}
    assert {"secrets", "data_sources", "audit_events", "idempotency_keys"} <= tables
    places = [(table, " ".join(as_text(v) for v in row.values())) for table, row in evidence.rows]

    assert evidence.leaks(places) == []


def test_audit_rows_record_the_changes_without_secrets(evidence: Evidence) -> None:
    mine = [
        row
        for table, row in evidence.rows
        if table == "audit_events" and row["tenant_id"] == evidence.tenant
    ]
    actions = {row["action"] for row in mine}

    assert {"data_source.create", "secret.store", "secret.stage", "data_source.test"} <= actions
    places = [(f"audit {r['action']}", " ".join(as_text(v) for v in r.values())) for r in mine]
    assert evidence.leaks(places) == []


async def test_the_canaries_live_on_as_ciphertext(backend: Backend, evidence: Evidence) -> None:
    vault = backend.service.deps.vault
    async with backend.service.deps.database() as db:
        stored = {
            name: await vault.reveal(db, evidence.tenant, ref)
            for name, ref in evidence.secret_refs.items()
        }

    field = {"signing_secret": "signing_secret"}
    assert {name: values[field.get(name, "auth_header")] for name, values in stored.items()} == {
        name: evidence.canaries[name] for name in evidence.secret_refs
    }
