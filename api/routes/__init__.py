"""REST routes of the data-source API, one module per resource."""

from api.routes.agents import routes as agent_routes
from api.routes.channels import routes as channel_routes
from api.routes.jobs import routes as job_routes
from api.routes.probes import routes as probe_routes
from api.routes.sessions import routes as session_routes
from api.routes.sources import routes as source_routes
from api.routes.syncs import routes as sync_routes

__all__ = ["ALL_ROUTES"]

ALL_ROUTES = (
    session_routes,
    agent_routes,
    source_routes,
    probe_routes,
    job_routes,
    sync_routes,
    channel_routes,
)
