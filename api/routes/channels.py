"""``/api/v1/agents/{id}/notification-channels``: where an agent's alerts go."""

from __future__ import annotations

from api.routes.common import service
from api.routing import Call, RouteTable
from connections.schemas import (
    NotificationChannelCreate,
    NotificationChannelCreated,
    NotificationChannelOut,
    Page,
)

__all__ = ["routes"]

routes = RouteTable()
_LIST = "/api/v1/agents/{agent_id}/notification-channels"


@routes.route(
    "GET",
    _LIST,
    summary="List notification channels",
    tag="notification-channels",
    response=Page[NotificationChannelOut],
)
async def list_notification_channels(call: Call) -> Page[NotificationChannelOut]:
    """The agent's channels; each shows its host, never its URL."""
    return await service(call).channels.page(call.identity, call.path["agent_id"])


@routes.route(
    "POST",
    _LIST,
    summary="Add a notification channel (Slack incoming webhook or HTTPS webhook)",
    tag="notification-channels",
    body=NotificationChannelCreate,
    response=NotificationChannelCreated,
    status=201,
    creates=True,
)
async def create_notification_channel(call: Call) -> NotificationChannelCreated:
    """Add a channel; the URL goes to the vault. A generated signing secret is shown once."""
    return await service(call).channels.create(call.identity, call.path["agent_id"], call.body)


@routes.route(
    "DELETE",
    f"{_LIST}/{{channel_id}}",
    summary="Remove a notification channel",
    tag="notification-channels",
    status=204,
)
async def delete_notification_channel(call: Call) -> None:
    """Remove a channel and its URL."""
    await service(call).channels.delete(
        call.identity, call.path["agent_id"], call.path["channel_id"]
    )
