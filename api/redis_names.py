"""Every Redis key name of one deployment, derived from one prefix.

Two deployments can share a Redis when each sets its own ``INGESTION_AGENT_REDIS_PREFIX``:
sessions, session locks, the Slack relay's thread map and seen events, the job queue, and
arq's per-job keys (``arq:job:``, ``arq:result:``, ``arq:in-progress:``, ``arq:retry:``
followed by the job id) all carry it. arq's own key prefixes are module constants, so the
prefix goes in front of our job ids instead.

The default prefix ``ia:`` keeps the names used before the prefix existed (including the
queue ``ingestion-agent:queue`` and unprefixed job ids), so upgrading one deployment changes
no key. ``INGESTION_AGENT_SLACK_REDIS_PREFIX`` and ``INGESTION_AGENT_QUEUE_NAME``, when set,
still win over the derived names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["DEFAULT_REDIS_PREFIX", "LEGACY_QUEUE_NAME", "RedisNames"]

DEFAULT_REDIS_PREFIX: Final = "ia:"
LEGACY_QUEUE_NAME: Final = "ingestion-agent:queue"


@dataclass(frozen=True, slots=True)
class RedisNames:
    """The key prefixes and queue name derived from ``prefix``.

    Attributes:
        prefix: The deployment's prefix (``INGESTION_AGENT_REDIS_PREFIX``).
        slack_override: ``INGESTION_AGENT_SLACK_REDIS_PREFIX``, if set.
        queue_override: ``INGESTION_AGENT_QUEUE_NAME``, if set.
    """

    prefix: str = DEFAULT_REDIS_PREFIX
    slack_override: str | None = None
    queue_override: str | None = None

    @property
    def sessions(self) -> str:
        """Prefix of session keys (``ia:session:``)."""
        return f"{self.prefix}session:"

    @property
    def locks(self) -> str:
        """Prefix of session lock keys (``ia:lock:``)."""
        return f"{self.prefix}lock:"

    @property
    def slack(self) -> str:
        """Prefix of the Slack relay's keys (``ia:slack:``)."""
        return self.slack_override or f"{self.prefix}slack:"

    @property
    def queue(self) -> str:
        """The arq queue (``ingestion-agent:queue`` with the default prefix)."""
        if self.queue_override:
            return self.queue_override
        return LEGACY_QUEUE_NAME if self._default else f"{self.prefix}queue"

    @property
    def job_ids(self) -> str:
        """What our arq job ids start with (nothing with the default prefix)."""
        return "" if self._default else self.prefix

    @property
    def _default(self) -> bool:
        return self.prefix == DEFAULT_REDIS_PREFIX
