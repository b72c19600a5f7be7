"""A runner that only records what it is given: the test double of :class:`Runner`.

Shipped beside the runners it stands in for (DESIGN §9), for tests of what is submitted
(the scheduler's ticks, the engines' follow-up work) where running it is beside the point.
It de-duplicates by key like the real runners, and never forgets a key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connections.runner.base import job_key, push_key

__all__ = ["RecordingRunner", "Submission"]


@dataclass(frozen=True)
class Submission:
    """One accepted submission."""

    key: str
    kind: str
    args: tuple[str | None, ...]


@dataclass
class RecordingRunner:
    """Accepts each key once and keeps it in :attr:`submitted`; runs nothing."""

    submitted: list[Submission] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    closed: bool = False

    @property
    def keys(self) -> list[str]:
        """Keys accepted, in order."""
        return [s.key for s in self.submitted]

    def _take(self, key: str, kind: str, *args: str | None) -> bool:
        if self.closed or key in self.keys:
            self.refused.append(key)
            return False
        self.submitted.append(Submission(key, kind, args))
        return True

    async def submit_pull(
        self, source_id: str, *, trigger: str, key: str, sync_id: str | None = None
    ) -> bool:
        """Record a pull."""
        return self._take(key, "pull", source_id, trigger, sync_id)

    async def submit_job(self, job_id: str) -> bool:
        """Record a job."""
        return self._take(job_key(job_id), "job", job_id)

    async def submit_push(self, job_id: str, sink_id: str) -> bool:
        """Record a push."""
        return self._take(push_key(job_id, sink_id), "push", job_id, sink_id)

    async def aclose(self) -> None:
        """Refuse further submissions."""
        self.closed = True
