"""The demo's child processes: started in their own session, logged to a file, stopped.

Each child runs in a new session, so a Ctrl-C in the terminal reaches only the demo, which
then stops the children in order: the service first, SeaweedFS last (it takes a few
seconds to stop; after a grace period it is killed, its data being throw-away).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ChildProcess", "start_child"]


@dataclass
class ChildProcess:
    """A running child and where its output goes.

    Attributes:
        name: What the demo calls it in messages.
        process: The asyncio process handle.
        log_path: The file holding its stdout and stderr.
    """

    name: str
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def running(self) -> bool:
        """Whether it has not exited yet."""
        return self.process.returncode is None

    async def stop(self, grace: float, sig: signal.Signals = signal.SIGTERM) -> int:
        """Ask it to stop with ``sig``; kill it after ``grace`` seconds; its exit code."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()
        return self.process.returncode if self.process.returncode is not None else -1


async def start_child(
    name: str, command: list[str], *, log_path: Path, cwd: Path, env: dict[str, str] | None = None
) -> ChildProcess:
    """Start ``command`` with its output appended to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            cwd=cwd,
            env=env if env is not None else dict(os.environ),
            start_new_session=True,
        )
    return ChildProcess(name=name, process=process, log_path=log_path)
