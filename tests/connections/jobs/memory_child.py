"""Run one job over a given CSV file in a fresh process and report its peak memory.

Used by ``test_memory.py``: ``python -m tests.connections.jobs.memory_child <csv> <dir>``
prints one JSON line ``{"status", "records_in", "records_out", "max_rss_mb"}``. The process
is the whole service's worth of imports (database, vault, connectors), so its peak RSS is
what a worker running the job would show.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from connections.db.models import Agent, DataSource, InventoryUpload, Job
from connections.jobs import JobEngine
from connections.runtime import open_runtime
from connectors.base import ConnectorContext
from core.ids import new_id


async def _main(csv_path: Path, work: Path) -> dict[str, object]:
    runtime = await open_runtime(
        database_url=f"sqlite:///{work / 'db.sqlite'}",
        data_dir=work,
        vault_key=None,
        connector_context=ConnectorContext(),
    )
    try:
        tenant = "memory"
        agent = Agent(id=new_id("agt"), tenant_id=tenant, name="a", created_by="t")
        source = DataSource(
            id=new_id("src"),
            tenant_id=tenant,
            agent_id=agent.id,
            role="INVENTORY_SOURCE",
            type="S3",
            name="s",
            config={"bucket": "b", "format": "CSV"},
            format="CSV",
            default_mapping={"fields": {"sku": "id", "title": "name", "stock": "qty"}},
            created_by="t",
        )
        upload_id = new_id("inv")
        size = (await asyncio.to_thread(csv_path.stat)).st_size
        location = await runtime.inventory.put_file(tenant, upload_id, "big.csv", csv_path)
        upload = InventoryUpload(
            id=upload_id,
            tenant_id=tenant,
            agent_id=agent.id,
            source_id=source.id,
            key="big.csv",
            etag="e",
            format="CSV",
            size=size,
            location=location,
        )
        async with runtime.service.deps.database() as db:
            db.add(agent)
            await db.flush()
            db.add(source)
            await db.flush()
            db.add(upload)
            await db.commit()
        engine = JobEngine(runtime.service.deps, runtime.inventory, work_dir=work / "tmp")
        job_id = await engine.start(upload_id)
        assert job_id is not None
        async with runtime.service.deps.database() as db:
            job = await db.get(Job, job_id)
            assert job is not None
            return {
                "status": job.status,
                "records_in": job.records_in,
                "records_out": job.records_out,
            }
    finally:
        await runtime.close()


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM) in MB.

    Not ``ru_maxrss``: on Linux it survives ``exec`` and so can count the forked copy of
    the parent (the test runner) instead of this program.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    """Entry point: run the job, print the outcome with the peak RSS in MB."""
    outcome = asyncio.run(_main(Path(sys.argv[1]), Path(sys.argv[2])))
    outcome["max_rss_mb"] = _peak_rss_mb()
    sys.stdout.write(json.dumps(outcome) + "\n")


if __name__ == "__main__":
    main()
