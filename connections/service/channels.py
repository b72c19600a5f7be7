"""An agent's notification channels: Slack incoming webhooks and HTTPS webhooks.

A channel's URL is a credential (whoever holds a Slack incoming-webhook URL can post to the
channel), so it goes to the vault with the signing secret of an HTTPS webhook; the row keeps
only the host, which is all the API ever shows. A signing secret made for a channel is
returned once, in the response that created it.
"""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import func, select

from connections.db.models import Agent, NotificationChannel
from connections.deps import ServiceDeps, audited, delete_audited, get_scoped
from connections.errors import ValidationError
from connections.identity import Identity, Permission
from connections.schemas import (
    NotificationChannelCreate,
    NotificationChannelCreated,
    NotificationChannelOut,
    Page,
    Pagination,
)
from connectors.errors import InvalidConfigError
from connectors.webhook import generate_signing_secret
from connectors.webhook.config import signing_key
from core.ids import new_id

__all__ = ["MAX_CHANNELS", "ChannelService", "channel_out"]

MAX_CHANNELS = 20
_DEFAULT_PORTS = {"http": 80, "https": 443}


def channel_out(row: NotificationChannel) -> NotificationChannelOut:
    """The public shape of a channel: never its URL."""
    return NotificationChannelOut(
        id=row.id,
        agent_id=row.agent_id,
        kind="SLACK_WEBHOOK" if row.kind == "SLACK_WEBHOOK" else "WEBHOOK",
        name=row.name,
        host=row.host,
        created_at=row.created_at,
    )


class ChannelService:
    """Notification channels of an agent."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    def _checked_host(self, url: str) -> str:
        """The URL's host (with a port other than the scheme's), checked by the guard.

        Raises:
            ValidationError: Not an http(s) URL, or credentials in it; never echoes it.
            BlockedByPolicyError: A refused literal address (names are checked on use).
        """
        try:
            scheme, host, port = self._deps.connector_context.network.check_url(url)
        except InvalidConfigError as exc:
            raise ValidationError(exc.message, field="url") from None
        shown = f"[{host}]" if ":" in host else host
        return shown if _DEFAULT_PORTS.get(scheme) == port else f"{shown}:{port}"

    @staticmethod
    def _signing_secret(body: NotificationChannelCreate) -> tuple[str | None, str | None]:
        """(the secret to keep, the one to reveal once) for the body's kind."""
        if body.kind == "SLACK_WEBHOOK":
            if body.signing_secret:
                raise ValidationError(
                    "Slack incoming webhooks are not signed; leave signingSecret out.",
                    field="signingSecret",
                )
            return None, None
        if not body.signing_secret:
            generated = generate_signing_secret()
            return generated, generated
        try:
            signing_key(SecretStr(body.signing_secret))
        except ValueError as exc:
            raise ValidationError(str(exc), field="signingSecret") from None
        return body.signing_secret.strip(), None

    async def create(
        self, who: Identity, agent_id: str, body: NotificationChannelCreate
    ) -> NotificationChannelCreated:
        """Add a channel; its URL (and signing secret) go to the vault.

        Raises:
            NotFoundError: No such agent in the tenant.
            ValidationError: A bad URL or signing secret, or too many channels.
            BlockedByPolicyError: The URL names a refused address.
        """
        who.require(Permission.CREATE)
        url = body.url.strip()
        host = self._checked_host(url)
        keep, reveal = self._signing_secret(body)
        values = {"url": url}
        if keep:
            values["signing_secret"] = keep
        async with self._deps.database() as db:
            await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            count = await db.scalar(
                select(func.count())
                .select_from(NotificationChannel)
                .where(
                    NotificationChannel.tenant_id == who.tenant_id,
                    NotificationChannel.agent_id == agent_id,
                )
            )
            if (count or 0) >= MAX_CHANNELS:
                raise ValidationError(
                    f"An agent has at most {MAX_CHANNELS} notification channels.", field="kind"
                )
            secret = await self._deps.vault.store(
                db, tenant_id=who.tenant_id, user_id=who.user_id, values=values, primary="url"
            )
            row = NotificationChannel(
                id=new_id("chn"),
                tenant_id=who.tenant_id,
                agent_id=agent_id,
                kind=body.kind,
                name=body.name.strip(),
                host=host,
                secret_id=secret.id,
                created_by=who.user_id,
            )
            db.add(row)
            await db.flush()
            await audited(
                db,
                who,
                "notification_channel.create",
                row.id,
                {"kind": row.kind, "name": row.name, "host": host, "secretRef": secret.id},
            )
            await db.commit()
        out = channel_out(row)
        return NotificationChannelCreated(**out.model_dump(), signing_secret=reveal)

    async def page(self, who: Identity, agent_id: str) -> Page[NotificationChannelOut]:
        """The agent's channels (at most :data:`MAX_CHANNELS`), oldest first."""
        who.require(Permission.READ)
        async with self._deps.database() as db:
            await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            query = (
                select(NotificationChannel)
                .where(
                    NotificationChannel.tenant_id == who.tenant_id,
                    NotificationChannel.agent_id == agent_id,
                )
                .order_by(NotificationChannel.id)
            )
            rows = list((await db.execute(query)).scalars())
        return Page[NotificationChannelOut](
            items=[channel_out(r) for r in rows], pagination=Pagination(limit=MAX_CHANNELS)
        )

    async def delete(self, who: Identity, agent_id: str, channel_id: str) -> None:
        """Remove a channel and its URL from the vault."""
        who.require(Permission.DELETE)
        async with self._deps.database() as db:
            row = await get_scoped(
                db,
                NotificationChannel,
                who.tenant_id,
                channel_id,
                "notification channel",
                agent_id=agent_id,
            )
            await delete_audited(db, self._deps.vault, who, row, "notification_channel.delete")
            await db.commit()
