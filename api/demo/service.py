"""The demo's ``ingestion-agent serve``: a child process with a demo-only environment.

Only this process is allowed to reach loopback (``INGESTION_AGENT_ALLOWED_NETWORKS``
gains ``127.0.0.0/8`` and ``::1``), and it keeps its data under the demo's folder: the
person's own database, Redis, vault key and auth settings are left out, so the demo never
writes to them and the printed identity headers always work.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.demo.errors import DemoError
from api.demo.processes import ChildProcess, start_child

__all__ = ["DemoService", "Features", "start_service"]

LOOPBACK_NETWORKS = "127.0.0.0/8,::1/128"
_PREFIX = "INGESTION_AGENT_"
# Settings the person may keep for the demo; every other INGESTION_AGENT_* is left out.
_KEPT = ("LOG_LEVEL", "LOG_FORMAT", "ALLOWED_NETWORKS", "ROLE_MAP")
_START_TIMEOUT = 60.0
# An open event stream holds aiohttp's graceful shutdown (up to its next keep-alive or
# longer); the demo's data is throw-away, so the service is killed after this.
_STOP_GRACE = 8.0


@dataclass(frozen=True)
class Features:
    """What this build of the service offers, read from its OpenAPI document and ``/``.

    Attributes:
        pull: ``POST …/data-sources/{sid}/pull`` exists (the sync engine is in).
        web_chat: The web chat widget is served at ``/``.
    """

    pull: bool
    web_chat: bool


@dataclass
class DemoService:
    """The running service.

    Attributes:
        url: Its base URL.
        child: The ``serve`` process.
        features: What it offers.
    """

    url: str
    child: ChildProcess
    features: Features

    async def stop(self) -> int:
        """Stop it as Ctrl-C would (SIGINT lets aiohttp shut down cleanly)."""
        return await self.child.stop(_STOP_GRACE, signal.SIGINT)


def demo_environment(data_dir: Path) -> dict[str, str]:
    """The environment of the demo's service (loopback allowed for it alone)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PREFIX)}
    env.update({_PREFIX + k: os.environ[_PREFIX + k] for k in _KEPT if _PREFIX + k in os.environ})
    allowed = [n for n in (env.get(_PREFIX + "ALLOWED_NETWORKS"), LOOPBACK_NETWORKS) if n]
    env[_PREFIX + "ALLOWED_NETWORKS"] = ",".join(allowed)
    env[_PREFIX + "DATA_DIR"] = str(data_dir)
    env[_PREFIX + "AUTH_MODE"] = "headers"
    return env


async def start_service(port: int, data_dir: Path, log_path: Path) -> DemoService:
    """Start ``ingestion-agent serve`` on ``127.0.0.1:port`` and wait until it answers.

    Raises:
        DemoError: It exited or did not answer in time.
    """
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    child = await start_child(
        "the service", command, log_path=log_path, cwd=Path.cwd(), env=demo_environment(data_dir)
    )
    url = f"http://127.0.0.1:{port}"
    try:
        features = await _wait_ready(url, child)
    except BaseException:
        await child.stop(_STOP_GRACE, signal.SIGINT)
        raise
    return DemoService(url, child, features)


async def _wait_ready(url: str, child: ChildProcess) -> Features:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _START_TIMEOUT
    async with httpx.AsyncClient(base_url=url, timeout=2.0) as http:
        while loop.time() < deadline:
            if not child.running:
                raise DemoError(f"the service exited at start: see {child.log_path}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return await _features(http)
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise DemoError(f"the service did not answer within {_START_TIMEOUT:.0f}s: see its log")


async def _features(http: httpx.AsyncClient) -> Features:
    paths = (await http.get("/api/openapi.json")).json().get("paths", {})
    pull = any(p.startswith("/api/v1/agents/") and p.endswith("/pull") for p in paths)
    home = await http.get("/")
    web_chat = home.status_code == 200 and "html" in home.headers.get("content-type", "")
    return Features(pull=pull, web_chat=web_chat)
