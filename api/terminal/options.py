"""Options of ``ingestion-agent chat``: where the service is and who is chatting.

Each option falls back to an environment variable, then to a default fit for a local
service: ``INGESTION_AGENT_HOST``/``INGESTION_AGENT_PORT`` for the address, tenant
``local``, the login name as the user, ``ROLE_DATA_ENGINEER``. A bearer token
(``--token`` or ``INGESTION_AGENT_TOKEN``) replaces the three identity headers.
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import os
from dataclasses import dataclass

from api.settings import Settings
from api.terminal.client import Identity

__all__ = ["ChatOptions", "add_chat_arguments", "default_url", "login_name"]

_TENANT_ENV = "INGESTION_AGENT_CHAT_TENANT"
_USER_ENV = "INGESTION_AGENT_CHAT_USER"
_ROLES_ENV = "INGESTION_AGENT_CHAT_ROLES"
_TOKEN_ENV = "INGESTION_AGENT_TOKEN"  # noqa: S105 - the name of a variable, not a token
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - recognised, never bound


def default_url(settings: Settings) -> str:
    """The local service's address: where ``serve`` binds by default (a wildcard: loopback)."""
    host = "127.0.0.1" if settings.host in _WILDCARDS else settings.host
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass  # a host name
    return f"http://{host}:{settings.port}"


def login_name() -> str:
    """The person's login name: the chat's default user id."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "local-user"


@dataclass(frozen=True)
class ChatOptions:
    """What ``ingestion-agent chat`` was asked to do.

    Attributes:
        url: The service's base URL.
        identity: Who chats.
    """

    url: str
    identity: Identity

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ChatOptions:
        """Read the parsed command line."""
        token = args.token or None
        return cls(
            url=args.url,
            identity=Identity(tenant=args.tenant, user=args.user, roles=args.roles, token=token),
        )


def add_chat_arguments(parser: argparse.ArgumentParser, settings: Settings) -> None:
    """Declare the options of the ``chat`` command on ``parser``."""
    url = default_url(settings)
    parser.add_argument("--url", default=url, help=f"the service's base URL (default {url})")
    parser.add_argument(
        "--tenant",
        default=os.environ.get(_TENANT_ENV, "local"),
        help=f"tenant id sent as X-Tenant-Id (env {_TENANT_ENV}, default local)",
    )
    parser.add_argument(
        "--user",
        default=os.environ.get(_USER_ENV) or login_name(),
        help=f"user id sent as X-User-ID (env {_USER_ENV}, default your login name)",
    )
    parser.add_argument(
        "--roles",
        default=os.environ.get(_ROLES_ENV, "ROLE_DATA_ENGINEER"),
        help=f"comma-separated roles sent as X-User-Roles (env {_ROLES_ENV})",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get(_TOKEN_ENV, ""),
        help=f"a bearer token instead of the headers above (env {_TOKEN_ENV})",
    )
