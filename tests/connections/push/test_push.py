"""Pushes: a completed job's result reaches each auto-push sink, once, retried when it may help."""

from __future__ import annotations

from mypy_boto3_s3 import S3Client

from connections.audit import list_events
from connections.jobs import JobEngine
from connections.push import PushEngine
from connections.runner import RecordingRunner
from tests.connections.jobs.support import SIGNING_SECRET, World, csv_bytes
from tests.connections.push.conftest import SigningReceiver
from tests.support.ports import free_port
from tests.support.seaweedfs import S3Identity, SeaweedS3

PRODUCTS = csv_bytes(["sku", "name"], [["A1", "Widget"], ["B2", "Gadget"]])


async def _completed_job(world: World, jobs: JobEngine) -> str:
    upload = await world.add_upload(await world.add_source(), PRODUCTS)
    job_id = await jobs.start(upload)
    assert job_id is not None
    return job_id


def _s3_sink(seaweed: SeaweedS3, bucket: str, prefix: str = "results/") -> dict[str, str]:
    return {
        "bucket": bucket,
        "prefix": prefix,
        "endpoint_url": seaweed.endpoint_url,
        "region": "us-east-1",
    }


async def test_an_s3_sink_receives_the_result_at_prefix_job_id_format(
    world: World,
    jobs: JobEngine,
    seaweed: SeaweedS3,
    bucket: str,
    s3_admin: S3Client,
) -> None:
    sink = await world.add_sink(
        "S3", _s3_sink(seaweed, bucket), seaweed.admin.secrets(), fmt="CSV", auto_push=True
    )

    job_id = await _completed_job(world, jobs)

    key = f"results/job-{job_id}.csv"
    body = s3_admin.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body == await world.result_bytes(job_id)
    (push,) = await world.pushes(job_id)
    assert (push.source_id, push.direction, push.trigger, push.status) == (
        sink,
        "outbound",
        "job",
        "succeeded",
    )
    assert push.attempts == 1
    assert push.bytes == len(body)
    assert push.records == 2
    assert push.manifest == [
        {"key": f"s3://{bucket}/{key}", "size": len(body), "status": "pushed", "jobId": job_id}
    ]


async def test_a_webhook_sink_receives_a_signed_post(
    world: World, jobs: JobEngine, receiver: SigningReceiver
) -> None:
    sink = await world.add_sink(
        "WEBHOOK",
        {"url": receiver.url},
        {"signing_secret": SIGNING_SECRET},
        fmt="JSON",
        auto_push=True,
    )

    job_id = await _completed_job(world, jobs)

    (post,) = receiver.posts
    assert post.verified
    assert post.headers["webhook-id"] == f"{job_id}.{sink}"
    assert post.headers["content-type"] == "application/json"
    assert post.body == await world.result_bytes(job_id)
    (push,) = await world.pushes(job_id)
    assert push.status == "succeeded"
    assert push.manifest[0]["key"] == receiver.url
    assert push.manifest[0]["status"] == "pushed"


async def test_a_failing_receiver_is_retried_then_the_failure_recorded(
    world: World, jobs: JobEngine, receiver: SigningReceiver
) -> None:
    receiver.statuses = [503]
    await world.add_sink(
        "WEBHOOK",
        {"url": receiver.url},
        {"signing_secret": SIGNING_SECRET},
        auto_push=True,
        retries=2,
    )

    job_id = await _completed_job(world, jobs)

    assert len(receiver.posts) == 3
    assert len({p.headers["webhook-id"] for p in receiver.posts}) == 1
    (push,) = await world.pushes(job_id)
    assert (push.status, push.attempts) == ("failed", 3)
    assert push.error is not None
    assert "503" in push.error
    assert push.manifest[0]["status"] == "failed"
    assert push.manifest[0]["key"] == receiver.url
    assert push.manifest[0]["error"] == push.error


async def test_a_push_that_succeeds_on_a_retry_succeeds(
    world: World, jobs: JobEngine, receiver: SigningReceiver
) -> None:
    receiver.statuses = [502, 200]
    await world.add_sink(
        "WEBHOOK", {"url": receiver.url}, {"signing_secret": SIGNING_SECRET}, auto_push=True
    )

    job_id = await _completed_job(world, jobs)

    (push,) = await world.pushes(job_id)
    assert (push.status, push.attempts) == ("succeeded", 2)


async def test_a_refusal_that_waiting_cannot_fix_is_not_retried(
    world: World, jobs: JobEngine, receiver: SigningReceiver
) -> None:
    receiver.statuses = [400]
    await world.add_sink(
        "WEBHOOK",
        {"url": receiver.url},
        {"signing_secret": SIGNING_SECRET},
        auto_push=True,
        retries=5,
    )

    job_id = await _completed_job(world, jobs)

    assert len(receiver.posts) == 1
    (push,) = await world.pushes(job_id)
    assert (push.status, push.attempts) == ("failed", 1)


async def test_the_agents_retry_rule_applies_when_the_sink_has_none(
    deps: object, world: World, jobs: JobEngine, receiver: SigningReceiver
) -> None:
    world.agent_id = await world.add_agent(
        data_sinks={"auto_push_on_job_complete": True, "retry_failed_push": 1}
    )
    receiver.statuses = [503]
    await world.add_sink("WEBHOOK", {"url": receiver.url}, {"signing_secret": SIGNING_SECRET})

    job_id = await _completed_job(world, jobs)

    assert len(receiver.posts) == 2
    (push,) = await world.pushes(job_id)
    assert push.attempts == 2


async def test_an_unreachable_s3_sink_is_retried(
    world: World, jobs: JobEngine, seaweed: SeaweedS3
) -> None:
    config = {**_s3_sink(seaweed, "results"), "endpoint_url": f"http://127.0.0.1:{free_port()}"}
    await world.add_sink("S3", config, seaweed.admin.secrets(), auto_push=True, retries=1)

    job_id = await _completed_job(world, jobs)

    (push,) = await world.pushes(job_id)
    assert (push.status, push.attempts) == ("failed", 2)
    assert push.manifest[0]["key"] == f"s3://results/results/job-{job_id}.csv"


async def test_a_read_only_s3_key_fails_the_push_at_once(
    world: World, jobs: JobEngine, seaweed: SeaweedS3, bucket: str
) -> None:
    reader: S3Identity = seaweed.reader
    await world.add_sink(
        "S3", _s3_sink(seaweed, bucket), reader.secrets(), auto_push=True, retries=3
    )

    job_id = await _completed_job(world, jobs)

    (push,) = await world.pushes(job_id)
    assert (push.status, push.attempts) == ("failed", 1)
    assert reader.secret_access_key not in (push.error or "")


async def test_auto_push_is_off_by_default(
    world: World, jobs: JobEngine, receiver: SigningReceiver
) -> None:
    await world.add_sink("WEBHOOK", {"url": receiver.url}, {"signing_secret": SIGNING_SECRET})

    job_id = await _completed_job(world, jobs)

    assert (await world.job(job_id)).status == "succeeded"
    assert await world.pushes(job_id) == []
    assert receiver.posts == []


async def test_a_sinks_own_setting_overrides_the_agents_rule(
    world: World, jobs: JobEngine, receiver: SigningReceiver
) -> None:
    world.agent_id = await world.add_agent(data_sinks={"auto_push_on_job_complete": True})
    opted_out = await world.add_sink(
        "WEBHOOK", {"url": receiver.url}, {"signing_secret": SIGNING_SECRET}, auto_push=False
    )
    follows_rule = await world.add_sink(
        "WEBHOOK", {"url": receiver.url}, {"signing_secret": SIGNING_SECRET}
    )

    job_id = await _completed_job(world, jobs)

    assert [p.source_id for p in await world.pushes(job_id)] == [follows_rule]
    assert opted_out != follows_rule


async def test_a_paused_sink_receives_nothing(
    world: World, jobs: JobEngine, receiver: SigningReceiver
) -> None:
    await world.add_sink(
        "WEBHOOK",
        {"url": receiver.url},
        {"signing_secret": SIGNING_SECRET},
        auto_push=True,
        status="paused",
    )

    job_id = await _completed_job(world, jobs)

    assert await world.pushes(job_id) == []


async def test_a_push_done_once_is_not_done_again(
    world: World, jobs: JobEngine, pushes: PushEngine, receiver: SigningReceiver
) -> None:
    sink = await world.add_sink(
        "WEBHOOK", {"url": receiver.url}, {"signing_secret": SIGNING_SECRET}, auto_push=True
    )
    job_id = await _completed_job(world, jobs)
    (first,) = await world.pushes(job_id)

    again = await pushes.push(job_id, sink)

    assert again == first.id
    assert len(receiver.posts) == 1


async def test_pushes_go_through_the_runner_when_one_is_bound(
    world: World, jobs: JobEngine, pushes: PushEngine, receiver: SigningReceiver
) -> None:
    runner = RecordingRunner()
    pushes.bind(runner)
    sink = await world.add_sink(
        "WEBHOOK", {"url": receiver.url}, {"signing_secret": SIGNING_SECRET}, auto_push=True
    )

    job_id = await _completed_job(world, jobs)

    assert runner.keys == [f"push:{job_id}:{sink}"]
    assert receiver.posts == []


async def test_each_push_is_audited(
    world: World, jobs: JobEngine, receiver: SigningReceiver
) -> None:
    sink = await world.add_sink(
        "WEBHOOK", {"url": receiver.url}, {"signing_secret": SIGNING_SECRET}, auto_push=True
    )

    job_id = await _completed_job(world, jobs)

    async with world.deps.database() as db:
        events = [e for e in await list_events(db, world.tenant) if e.action == "data_source.push"]
    (event,) = events
    assert event.object_id == sink
    assert event.details["jobId"] == job_id
    assert event.details["ok"] is True
