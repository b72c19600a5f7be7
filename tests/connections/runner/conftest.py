"""Runner fixtures: the three real engines over a real S3 source and a real HTTPS receiver.

A bucket holds two CSV files under ``daily/``; the agent's S3 source pulls them and its
webhook sink (auto push on) receives each job's result, signed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from mypy_boto3_s3 import S3Client

from connections.jobs import JobEngine
from connections.push import PushEngine
from connections.runner import Engines
from connections.sync import PullEngine
from tests.connections.jobs.conftest import deps, jobs, pushes, store, tls, world
from tests.connections.jobs.support import SIGNING_SECRET, World, csv_bytes
from tests.connections.push.conftest import SigningReceiver, receiver
from tests.support.seaweedfs import SeaweedS3

__all__ = ["deps", "jobs", "pushes", "receiver", "store", "tls", "world"]

FILES = {
    "daily/a.csv": csv_bytes(["sku", "qty"], [["A1", "1"], ["A2", "2"]]),
    "daily/b.csv": csv_bytes(["sku", "qty"], [["B1", "3"]]),
}


@dataclass(frozen=True)
class Chain:
    """The engines and the rows they work on."""

    engines: Engines
    world: World
    source_id: str
    sink_id: str


@pytest.fixture
async def chain(
    world: World,
    jobs: JobEngine,
    pushes: PushEngine,
    seaweed: SeaweedS3,
    bucket: str,
    s3_admin: S3Client,
    receiver: SigningReceiver,
) -> Chain:
    """A source with two files to pull and a sink that takes every result."""
    for key, body in FILES.items():
        s3_admin.put_object(Bucket=bucket, Key=key, Body=body)
    source = await world.add_source(
        config={
            "bucket": bucket,
            "prefix": "daily/",
            "endpoint_url": seaweed.endpoint_url,
            "region": "us-east-1",
            "format": "CSV",
        },
        secrets=seaweed.admin.secrets(),
    )
    sink = await world.add_sink(
        "WEBHOOK", {"url": receiver.url}, {"signing_secret": SIGNING_SECRET}, auto_push=True
    )
    pulls = PullEngine(world.deps, world.store, on_upload=jobs.on_upload)
    return Chain(Engines(pulls=pulls, jobs=jobs, pushes=pushes), world, source, sink)
