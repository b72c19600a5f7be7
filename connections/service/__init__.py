"""The connection service: agents, sources and sinks, probes, staged secrets."""

from connections.deps import ServiceDeps
from connections.service.agents import AgentService
from connections.service.channels import ChannelService
from connections.service.jobs import JobService
from connections.service.probes import ProbeService
from connections.service.sources import SourceService
from connections.service.staged import StagedSecretService
from connections.service.syncs import SyncService

__all__ = [
    "AgentService",
    "ChannelService",
    "ConnectionService",
    "JobService",
    "ProbeService",
    "ServiceDeps",
    "SourceService",
    "StagedSecretService",
    "SyncService",
]


class ConnectionService:
    """Everything the REST API and the in-process client call, grouped by concern."""

    def __init__(self, deps: ServiceDeps) -> None:
        self.deps = deps
        self.agents = AgentService(deps)
        self.sources = SourceService(deps)
        self.probes = ProbeService(deps, self.sources)
        self.secrets = StagedSecretService(deps)
        self.jobs = JobService(deps)
        self.syncs = SyncService(deps)
        self.channels = ChannelService(deps)
