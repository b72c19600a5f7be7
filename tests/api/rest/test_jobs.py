"""``/agents/{id}/jobs`` and a source's column mapping: a pull's files become jobs, pushed.

A pull of the stocked bucket (25 products) over REST starts one job, which applies the
source's mapping and pushes its result to a webhook sink, signed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from standardwebhooks import Webhook

from api.app import BACKGROUND_KEY
from connections.runner import InProcessRunner
from tests.api.rest.conftest import CSV_ROWS, Backend
from tests.api.rest.support import (
    SIGNING_SECRET,
    VIEWER,
    Api,
    Receiver,
    s3_body,
    unique,
    webhook_sink_body,
)
from tests.support.seaweedfs import SeaweedS3

MAPPING = {"fields": {"code": "sku", "title": "name"}, "required": ["code"]}


async def _drain(backend: Backend) -> None:
    """Wait until the app's runner has nothing left to do (pull, jobs, pushes)."""
    runner = backend.app[BACKGROUND_KEY].runner
    assert isinstance(runner, InProcessRunner)
    await runner.drain()


async def _pulled(
    api: Api,
    backend: Backend,
    agent_id: str,
    seaweed: SeaweedS3,
    bucket: str,
    *,
    mapping: dict[str, Any] | None = MAPPING,
) -> str:
    """A source over ``bucket`` with ``mapping``, pulled once; its id."""
    source = await api.create_source(agent_id, s3_body(seaweed, bucket, name=unique("uploads")))
    if mapping is not None:
        reply = await api.put(
            f"/api/v1/agents/{agent_id}/data-sources/{source['id']}/mapping", mapping
        )
        assert reply.status == 200, reply.text
    reply = await api.post(f"/api/v1/agents/{agent_id}/data-sources/{source['id']}/pull")
    assert reply.status == 202, reply.text
    await _drain(backend)
    return str(source["id"])


async def _jobs(api: Api, agent_id: str, **params: str) -> dict[str, Any]:
    reply = await api.get(f"/api/v1/agents/{agent_id}/jobs", params=params)
    assert reply.status == 200, reply.text
    body: dict[str, Any] = reply.json
    return body


async def test_a_pulled_file_becomes_a_job_listed_with_its_counts(
    api: Api, backend: Backend, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    source_id = await _pulled(api, backend, agent_id, seaweed, stocked_bucket)

    page = await _jobs(api, agent_id)

    (job,) = page["items"]
    assert job["sourceId"] == source_id
    assert job["uploadId"].startswith("inv_")
    assert job["id"].startswith("job_")
    assert (job["status"], job["format"]) == ("succeeded", "CSV")
    assert (job["recordsIn"], job["recordsOut"], job["errorRows"]) == (CSV_ROWS, CSV_ROWS, 0)
    assert page["pagination"] == {"limit": 50, "nextCursor": None}


async def test_a_job_result_is_pushed_to_a_sink_that_opted_in(
    api: Api,
    backend: Backend,
    agent_id: str,
    seaweed: SeaweedS3,
    stocked_bucket: str,
    receiver: Receiver,
) -> None:
    sink = await api.create_source(
        agent_id,
        {**webhook_sink_body(receiver.url("/results")), "autoPushOnJobComplete": True},
    )
    await _pulled(api, backend, agent_id, seaweed, stocked_bucket)
    (listed,) = (await _jobs(api, agent_id))["items"]

    reply = await api.get(f"/api/v1/agents/{agent_id}/jobs/{listed['id']}")

    assert reply.status == 200, reply.text
    job = reply.json
    assert job["format"] == "JSON"  # the sink's format
    assert job["errors"] == []
    (push,) = job["pushes"]
    assert (push["sourceId"], push["direction"], push["trigger"], push["status"]) == (
        sink["id"],
        "outbound",
        "job",
        "succeeded",
    )
    assert push["manifest"][0]["key"] == receiver.url("/results")
    assert push["manifest"][0]["status"] == "pushed"
    (post,) = [r for r in receiver.received("/results") if r.method == "POST"]
    Webhook(SIGNING_SECRET).verify(post.body, post.headers, json_parse=False)
    rows = json.loads(post.body)
    assert len(rows) == CSV_ROWS
    assert rows[0] == {"code": "SKU-001", "title": "Widget 1"}


async def test_results_are_not_pushed_unless_a_sink_opts_in(
    api: Api,
    backend: Backend,
    agent_id: str,
    seaweed: SeaweedS3,
    stocked_bucket: str,
    receiver: Receiver,
) -> None:
    await api.create_source(agent_id, webhook_sink_body(receiver.url("/results")))
    await _pulled(api, backend, agent_id, seaweed, stocked_bucket)
    (listed,) = (await _jobs(api, agent_id))["items"]

    job = (await api.get(f"/api/v1/agents/{agent_id}/jobs/{listed['id']}")).json

    assert job["status"] == "succeeded"
    assert job["pushes"] == []
    assert [r for r in receiver.received("/results") if r.method == "POST"] == []


async def test_rows_refused_by_validation_are_listed_on_the_job(
    api: Api, backend: Backend, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    mapping = {"fields": {"code": "sku", "stock": "quantity"}}
    await _pulled(api, backend, agent_id, seaweed, stocked_bucket, mapping=mapping)
    (listed,) = (await _jobs(api, agent_id))["items"]

    job = (await api.get(f"/api/v1/agents/{agent_id}/jobs/{listed['id']}")).json

    assert job["status"] == "failed"
    assert job["errorRows"] == CSV_ROWS
    assert len(job["errors"]) == CSV_ROWS
    assert job["errors"][0] == {
        "row": 1,
        "field": "stock",
        "message": "The row has no column 'quantity'.",
    }


async def test_jobs_page_by_cursor_and_filter_by_status(
    api: Api, backend: Backend, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    await _pulled(api, backend, agent_id, seaweed, stocked_bucket)
    bad = {"fields": {"code": "missing"}}
    await _pulled(api, backend, agent_id, seaweed, stocked_bucket, mapping=bad)

    first = await _jobs(api, agent_id, limit="1")
    second = await _jobs(api, agent_id, limit="1", cursor=first["pagination"]["nextCursor"])
    failed = await _jobs(api, agent_id, status="failed")

    assert first["pagination"]["nextCursor"] == first["items"][0]["id"]
    assert second["pagination"]["nextCursor"] is None
    assert first["items"][0]["id"] < second["items"][0]["id"]
    assert [j["status"] for j in failed["items"]] == ["failed"]


async def test_the_mapping_reads_back_and_can_be_removed(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    source = await api.create_source(agent_id, s3_body(seaweed, stocked_bucket))
    path = f"/api/v1/agents/{agent_id}/data-sources/{source['id']}/mapping"

    empty = await api.get(path)
    await api.put(path, MAPPING)
    kept = await api.get(path)
    removed = await api.put(path, {"fields": {}})

    assert empty.json == {"sourceId": source["id"], "fields": {}, "required": []}
    assert kept.json == {"sourceId": source["id"], **MAPPING}
    assert removed.json["fields"] == {}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"fields": {"code": "sku"}, "required": ["price"]}, id="required-unmapped"),
        pytest.param({"fields": {"code": " "}}, id="blank-column"),
        pytest.param({"fields": ["sku"]}, id="not-an-object"),
    ],
)
async def test_a_bad_mapping_is_refused_and_changes_nothing(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str, body: dict[str, Any]
) -> None:
    source = await api.create_source(agent_id, s3_body(seaweed, stocked_bucket))
    path = f"/api/v1/agents/{agent_id}/data-sources/{source['id']}/mapping"

    reply = await api.put(path, body)

    assert reply.status == 422, reply.text
    assert reply.error["field"] == "fields"
    assert (await api.get(path)).json["fields"] == {}


async def test_a_sink_has_no_mapping(api: Api, agent_id: str, receiver: Receiver) -> None:
    sink = await api.create_source(agent_id, webhook_sink_body(receiver.url("/results")))

    reply = await api.put(f"/api/v1/agents/{agent_id}/data-sources/{sink['id']}/mapping", MAPPING)

    assert reply.status == 422
    assert reply.error["field"] == "role"


async def test_a_viewer_reads_jobs_but_cannot_change_a_mapping(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    source = await api.create_source(agent_id, s3_body(seaweed, stocked_bucket))
    viewer = api.as_roles(VIEWER)

    listed = await viewer.get(f"/api/v1/agents/{agent_id}/jobs")
    changed = await viewer.put(
        f"/api/v1/agents/{agent_id}/data-sources/{source['id']}/mapping", MAPPING
    )

    assert listed.status == 200
    assert changed.status == 403


async def test_another_tenant_sees_none_of_it(
    api: Api,
    other_tenant: Api,
    backend: Backend,
    agent_id: str,
    seaweed: SeaweedS3,
    stocked_bucket: str,
) -> None:
    source_id = await _pulled(api, backend, agent_id, seaweed, stocked_bucket)
    (job,) = (await _jobs(api, agent_id))["items"]
    their_agent = (await other_tenant.create_agent())["id"]

    replies = [
        await other_tenant.get(f"/api/v1/agents/{agent_id}/jobs"),
        await other_tenant.get(f"/api/v1/agents/{agent_id}/jobs/{job['id']}"),
        await other_tenant.get(f"/api/v1/agents/{their_agent}/jobs/{job['id']}"),
        await other_tenant.get(f"/api/v1/agents/{agent_id}/data-sources/{source_id}/mapping"),
        await other_tenant.put(
            f"/api/v1/agents/{agent_id}/data-sources/{source_id}/mapping", MAPPING
        ),
    ]
    their_jobs = await _jobs(other_tenant, their_agent)

    assert [r.status for r in replies] == [404] * len(replies)
    assert their_jobs["items"] == []
