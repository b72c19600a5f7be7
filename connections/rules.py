"""An agent's rule set (seeds 000 and 001), with its defaults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DataSinkRules", "DataSourceRules", "MappingJobRules", "RuleSet"]


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DataSourceRules(_Rules):
    """How inbound sources behave."""

    auto_pull_on_schedule: bool = True
    pause_source_after_failures: int = Field(default=3, ge=1, le=100)


class DataSinkRules(_Rules):
    """How outbound sinks behave. Egress is opt-in: auto push is off by default."""

    auto_push_on_job_complete: bool = False
    retry_failed_push: int = Field(default=2, ge=0, le=10)


class MappingJobRules(_Rules):
    """When mapping jobs start."""

    trigger_on_new_inventory_upload: bool = True


class RuleSet(_Rules):
    """The whole rule set, serialized with the seeds' snake_case keys."""

    data_sources: DataSourceRules = Field(default_factory=DataSourceRules)
    data_sinks: DataSinkRules = Field(default_factory=DataSinkRules)
    mapping_jobs: MappingJobRules = Field(default_factory=MappingJobRules)
