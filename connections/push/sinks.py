"""Which sinks receive a job's result, how hard to try, and where the result lands.

A sink may carry its own ``autoPushOnJobComplete`` and ``retryFailedPush``; null means the
agent's rule (``data_sinks.auto_push_on_job_complete``, default false: egress is opt-in;
``data_sinks.retry_failed_push``, default 2).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import Agent, DataSource
from connections.rules import RuleSet
from connectors.s3.config import join_key
from connectors.spec import DataFormat, Role
from connectors.webhook.config import display_url

__all__ = ["auto_push", "auto_push_sinks", "result_name", "retries", "sink_format", "target"]


def _rules(agent: Agent) -> RuleSet:
    return RuleSet.model_validate(agent.rules or {})


def auto_push(sink: DataSource, rules: RuleSet) -> bool:
    """Whether ``sink`` receives results on job completion."""
    if sink.auto_push_on_job_complete is not None:
        return sink.auto_push_on_job_complete
    return rules.data_sinks.auto_push_on_job_complete


def retries(sink: DataSource, rules: RuleSet) -> int:
    """How many times a failed push to ``sink`` is tried again."""
    if sink.retry_failed_push is not None:
        return sink.retry_failed_push
    return rules.data_sinks.retry_failed_push


async def auto_push_sinks(db: AsyncSession, agent: Agent) -> list[DataSource]:
    """The agent's active sinks that receive results on job completion, oldest first."""
    rules = _rules(agent)
    query = (
        select(DataSource)
        .where(
            DataSource.tenant_id == agent.tenant_id,
            DataSource.agent_id == agent.id,
            DataSource.role == Role.RESULTS_SINK.value,
            DataSource.status == "active",
        )
        .order_by(DataSource.id)
    )
    return [s for s in (await db.execute(query)).scalars() if auto_push(s, rules)]


def sink_format(sink: DataSource) -> DataFormat | None:
    """The format a sink asks for, if it names one."""
    raw = sink.format or sink.config.get("format")
    try:
        return DataFormat(str(raw).upper()) if raw else None
    except ValueError:
        return None


def result_name(job_id: str, fmt: DataFormat) -> str:
    """The result's file name: ``job-{jobId}.{format}`` (seed 000)."""
    return f"job-{job_id}.{fmt.extension}"


def target(sink_type: str, config: dict[str, Any], job_id: str, fmt: DataFormat) -> str:
    """Where a delivery to this sink lands, as the manifest shows it (no credentials)."""
    if sink_type == "S3" and config.get("bucket"):
        key = join_key(str(config.get("prefix") or ""), result_name(job_id, fmt))
        return f"s3://{config['bucket']}/{key}"
    if sink_type == "WEBHOOK" and config.get("url"):
        return display_url(str(config["url"]))
    return result_name(job_id, fmt)
