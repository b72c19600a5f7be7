"""Jobs: started by the upload event, run once, mapped, validated, stored in one format."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import update

from connections.db.models import Job
from connections.db.types import utcnow
from connections.jobs import JobEngine, result_format
from connections.runner import RecordingRunner
from connectors.spec import DataFormat
from tests.connections.jobs.support import World, csv_bytes

PRODUCTS = csv_bytes(
    ["Item Code", "Title", "Stock"],
    [["A1", "Widget", "3"], ["B2", "Gadget", "4"], ["C3", "Gizmo", "5"]],
)


async def test_an_upload_starts_a_job_that_maps_its_columns(world: World, jobs: JobEngine) -> None:
    source = await world.add_source(mapping={"fields": {"sku": "Item Code", "name": "Title"}})
    upload = await world.add_upload(source, PRODUCTS)

    job_id = await jobs.start(upload)

    assert job_id is not None
    job = await world.job(job_id)
    assert (job.status, job.format, job.records_in, job.records_out) == ("succeeded", "CSV", 3, 3)
    assert job.errors == []
    assert (await world.result_bytes(job_id)).decode().splitlines() == [
        "sku,name",
        "A1,Widget",
        "B2,Gadget",
        "C3,Gizmo",
    ]


async def test_without_a_mapping_columns_pass_through_unchanged(
    world: World, jobs: JobEngine
) -> None:
    upload = await world.add_upload(await world.add_source(), PRODUCTS)

    job_id = await jobs.start(upload)

    assert job_id is not None
    assert (await world.result_bytes(job_id)).splitlines() == PRODUCTS.splitlines()


async def test_the_result_is_named_after_the_job(world: World, jobs: JobEngine) -> None:
    upload = await world.add_upload(await world.add_source(), PRODUCTS)

    job_id = await jobs.start(upload)

    assert job_id is not None
    location = (await world.job(job_id)).result_location
    assert location is not None
    assert location.endswith(f"/job-{job_id}.csv")


async def test_rows_that_fail_validation_are_recorded_and_the_rest_kept(
    world: World, jobs: JobEngine
) -> None:
    content = csv_bytes(["code", "name"], [["A1", "Widget"], ["", "Nameless"], ["C3", "Gizmo"]])
    source = await world.add_source(
        mapping={"fields": {"sku": "code", "name": "name"}, "required": ["sku"]}
    )
    upload = await world.add_upload(source, content)

    job_id = await jobs.start(upload)

    assert job_id is not None
    job = await world.job(job_id)
    assert (job.status, job.records_in, job.records_out) == ("partial", 3, 2)
    assert job.errors == [
        {"row": 2, "field": "sku", "message": "'sku' is required but column 'code' is empty."}
    ]
    assert (await world.result_bytes(job_id)).decode().splitlines() == [
        "sku,name",
        "A1,Widget",
        "C3,Gizmo",
    ]


async def test_error_rows_are_bounded_but_all_counted(world: World, jobs: JobEngine) -> None:
    rows = [["", f"n{i}"] for i in range(250)] + [["A1", "ok"]]
    source = await world.add_source(
        mapping={"fields": {"sku": "code", "name": "name"}, "required": ["sku"]}
    )
    upload = await world.add_upload(source, csv_bytes(["code", "name"], rows))

    job_id = await jobs.start(upload)

    assert job_id is not None
    job = await world.job(job_id)
    assert (job.records_in, job.records_out) == (251, 1)
    assert len(job.errors) == 100


async def test_a_job_whose_every_row_fails_has_failed(world: World, jobs: JobEngine) -> None:
    source = await world.add_source(mapping={"fields": {"sku": "Missing Column"}})
    upload = await world.add_upload(source, PRODUCTS)

    job_id = await jobs.start(upload)

    assert job_id is not None
    job = await world.job(job_id)
    assert job.status == "failed"
    assert job.error == "No row passed validation; see the job's errors."
    assert job.result_location is None
    assert job.errors[0]["message"] == "The row has no column 'Missing Column'."


async def test_a_file_that_does_not_parse_fails_the_job_saying_where(
    world: World, jobs: JobEngine
) -> None:
    upload = await world.add_upload(await world.add_source(), b"a,b\n1,2\n3,4,5\n")

    job_id = await jobs.start(upload)

    assert job_id is not None
    job = await world.job(job_id)
    assert job.status == "failed"
    assert job.error is not None
    assert "line 3" in job.error


async def test_json_uploads_are_read_at_the_sources_records_path(
    world: World, jobs: JobEngine
) -> None:
    source = await world.add_source(
        fmt="JSON",
        config={"bucket": "b", "format": "JSON", "records_path": "data.items"},
        mapping={"fields": {"sku": "id"}},
    )
    content = json.dumps({"data": {"items": [{"id": "A1"}, {"id": "B2"}]}}).encode()
    upload = await world.add_upload(source, content, fmt="JSON", name="items.json")

    job_id = await jobs.start(upload)

    assert job_id is not None
    assert json.loads(await world.result_bytes(job_id)) == [{"sku": "A1"}, {"sku": "B2"}]


async def test_the_same_upload_event_twice_starts_one_job(world: World, jobs: JobEngine) -> None:
    upload = await world.add_upload(await world.add_source(), PRODUCTS)

    first = await jobs.start(upload)
    second = await jobs.start(upload)

    assert first == second
    assert len(await world.jobs_of(upload)) == 1


async def test_concurrent_deliveries_of_one_event_start_one_job(
    world: World, deps: object, store: object
) -> None:
    runner = RecordingRunner()
    engine = JobEngine(world.deps, world.store)
    engine.bind(runner)
    upload = await world.add_upload(await world.add_source(), PRODUCTS)

    ids = await asyncio.gather(*(engine.start(upload) for _ in range(5)))

    assert len(set(ids)) == 1
    assert len(await world.jobs_of(upload)) == 1
    assert runner.keys == [f"job:{ids[0]}"]


async def test_no_job_starts_when_the_agents_rule_is_off(
    deps: object, world: World, jobs: JobEngine
) -> None:
    world.agent_id = await world.add_agent(mapping_jobs={"trigger_on_new_inventory_upload": False})
    upload = await world.add_upload(await world.add_source(), PRODUCTS)

    assert await jobs.start(upload) is None
    assert await world.jobs_of(upload) == []


async def test_a_job_runs_once_even_when_run_twice(world: World) -> None:
    runner = RecordingRunner()
    engine = JobEngine(world.deps, world.store)
    engine.bind(runner)
    upload = await world.add_upload(await world.add_source(), PRODUCTS)
    job_id = await engine.start(upload)
    assert job_id is not None

    results = await asyncio.gather(engine.run(job_id), engine.run(job_id))

    assert sorted(results, key=str) == [None, "succeeded"]


async def test_a_job_left_running_by_a_dead_worker_is_claimed_again_once_stale(
    world: World,
) -> None:
    engine = JobEngine(world.deps, world.store, stale_after=600)
    engine.bind(RecordingRunner())
    upload = await world.add_upload(await world.add_source(), PRODUCTS)
    job_id = await engine.start(upload)
    assert job_id is not None
    async with world.deps.database() as db:
        await db.execute(
            update(Job).where(Job.id == job_id).values(status="running", started_at=utcnow())
        )
        await db.commit()

    fresh = await engine.run(job_id)
    async with world.deps.database() as db:
        await db.execute(
            update(Job).where(Job.id == job_id).values(started_at=utcnow() - timedelta(minutes=11))
        )
        await db.commit()
    stale = await engine.run(job_id)

    assert (fresh, stale) == (None, "succeeded")


async def test_recovery_starts_jobs_for_uploads_that_never_got_one(world: World) -> None:
    runner = RecordingRunner()
    engine = JobEngine(world.deps, world.store)
    engine.bind(runner)
    source = await world.add_source()
    orphan = await world.add_upload(source, PRODUCTS)
    queued = await engine.start(await world.add_upload(source, PRODUCTS, name="b.csv"))
    runner.submitted.clear()

    await engine.recover()

    jobs = await world.jobs_of(orphan)
    assert len(jobs) == 1
    assert f"job:{jobs[0].id}" in runner.keys
    assert f"job:{queued}" in runner.keys


def test_the_result_takes_the_sinks_format_when_they_agree() -> None:
    assert result_format(DataFormat.CSV, [DataFormat.JSON, DataFormat.JSON]) is DataFormat.JSON


def test_the_result_keeps_the_uploads_format_when_sinks_disagree_or_there_are_none() -> None:
    assert result_format(DataFormat.CSV, [DataFormat.JSON, DataFormat.XLSX]) is DataFormat.CSV
    assert result_format(DataFormat.NDJSON, []) is DataFormat.NDJSON


async def test_a_job_writes_the_format_its_auto_push_sinks_ask_for(
    world: World, deps: object, store: object
) -> None:
    engine = JobEngine(world.deps, world.store)
    await world.add_sink(
        "S3",
        {"bucket": "results", "prefix": "out/"},
        {"access_key_id": "AKIAEXAMPLE0000", "secret_access_key": "s" * 40},
        fmt="NDJSON",
        auto_push=True,
    )
    upload = await world.add_upload(await world.add_source(), PRODUCTS)

    job_id = await engine.start(upload)

    assert job_id is not None
    assert (await world.job(job_id)).format == "NDJSON"
    lines = (await world.result_bytes(job_id)).decode().splitlines()
    assert json.loads(lines[0]) == {"Item Code": "A1", "Title": "Widget", "Stock": "3"}


async def test_the_upload_event_subscriber_starts_the_job(world: World, jobs: JobEngine) -> None:
    upload = await world.add_upload(await world.add_source(), PRODUCTS)

    await jobs.on_upload(upload)
    await jobs.on_upload(upload)

    (job,) = await world.jobs_of(upload)
    assert job.status == "succeeded"
