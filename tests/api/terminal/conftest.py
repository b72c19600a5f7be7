"""A real ``ingestion-agent serve`` process, and the chat driven in a pseudo-terminal.

The service runs as a user would start it, on a free loopback port, with
``INGESTION_AGENT_ALLOWED_NETWORKS`` letting it reach the test's own SeaweedFS server and
webhook receiver. The chat runs as the real ``ingestion-agent chat`` program under
``pexpect``: everything the terminal showed is kept, so tests can search it for secrets.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pexpect
import pytest
from mypy_boto3_s3 import S3Client
from ulid import ULID

from tests.support.ports import free_port

PROMPT = "you> "
HIDDEN_PROMPT = "you (typing is hidden)> "
_START_TIMEOUT = 90.0  # a loaded machine (CI beside other work) starts slowly


def cli() -> str:
    return str(Path(sys.executable).with_name("ingestion-agent"))


class Service:
    """``ingestion-agent serve`` on one port and data folder, which a test may restart."""

    def __init__(self, data: Path, port: int) -> None:
        self.data = data
        self.url = f"http://127.0.0.1:{port}"
        self._port = port
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "INGESTION_AGENT_DATA_DIR": str(self.data),
            "INGESTION_AGENT_ALLOWED_NETWORKS": "127.0.0.0/8",
            "INGESTION_AGENT_LOG_FORMAT": "json",
        }
        env.pop("INGESTION_AGENT_REDIS_URL", None)  # sessions in memory: a restart loses them
        with (self.data / "serve.log").open("ab") as log:
            self._process = subprocess.Popen(
                [cli(), "serve", "--host", "127.0.0.1", "--port", str(self._port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_healthy(self.url, self._process)

    def stop(self) -> None:
        if self._process is None:
            return
        # serve waits for open event streams to notice their client left (at the next
        # keep-alive, 15 s); past that it is killed, its data being throw-away.
        self._process.terminate()
        try:
            self._process.wait(20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None


@pytest.fixture(scope="session")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``ingestion-agent serve`` on a free port, allowed to reach loopback servers."""
    service = Service(tmp_path_factory.mktemp("chat-service"), free_port())
    try:
        service.start()
        yield service.url
    finally:
        service.stop()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """A service of this test alone, so that it can be stopped and started again."""
    service = Service(tmp_path, free_port())
    try:
        service.start()
        yield service
    finally:
        service.stop()


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, "ingestion-agent serve exited at start"
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"ingestion-agent serve did not answer at {url}")


@pytest.fixture
def shop(s3_admin: S3Client, bucket: str) -> str:
    """A bucket with two feeds under ``exports/``: orders (two days) and customers."""
    for day in ("2026-05-24", "2026-05-25"):
        s3_admin.put_object(
            Bucket=bucket,
            Key=f"exports/orders_{day}.csv",
            Body=b"order_id,customer_id,total\n1,7,19.90\n",
        )
    s3_admin.put_object(
        Bucket=bucket, Key="exports/customers.csv", Body=b"customer_id,name\n7,Ada\n"
    )
    return bucket


def _interruptible() -> None:
    """Ctrl-C interrupts the child, as at a person's terminal.

    A suite started in the background by a non-interactive shell (``make test &``) runs with
    SIGINT ignored, and an ignored signal stays ignored across ``exec``: Python would then
    install no handler, and the Ctrl-C test would wait for an exit that never comes.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """``ingestion-agent chat`` in a pseudo-terminal; ``screen`` is all it showed."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.screen = io.StringIO()
        self.child = pexpect.spawn(
            cli(),
            ["chat", *args],
            env={**os.environ, "NO_COLOR": "1", **(env or {})},
            encoding="utf-8",
            timeout=30,
            dimensions=(50, 160),
            preexec_fn=_interruptible,
        )
        self.child.logfile_read = self.screen

    @property
    def output(self) -> str:
        return self.screen.getvalue()

    def expect(self, text: str) -> None:
        self.child.expect_exact(text)

    def type(self, text: str, *, after: str = PROMPT) -> None:
        """Wait for the prompt, then type a line."""
        self.child.expect_exact(after)
        self.child.sendline(text)

    def choose(self, option: str, *, after: str = PROMPT) -> None:
        """Wait for ``option`` among the numbered quick replies, then type its number."""
        self.child.expect(rf"(\d+)\) {re.escape(option)}")
        match = self.child.match
        assert isinstance(match, re.Match)
        self.type(match.group(1), after=after)

    def type_hidden(self, text: str) -> None:
        self.type(text, after=HIDDEN_PROMPT)

    def exit_status(self) -> int | None:
        self.child.expect(pexpect.EOF)
        self.child.close()
        status: int | None = self.child.exitstatus
        return status

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    """Terminals a test opened; any still running is stopped after it."""
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def tenant() -> str:
    """A tenant no other test uses, so each test sees only its own sources."""
    return f"t-{str(ULID()).lower()}"


class _Hook(BaseHTTPRequestHandler):
    """Answers like a webhook receiver: OPTIONS and POST are accepted."""

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.end_headers()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the test reads what the chat showed, not the server's log."""


@pytest.fixture(scope="session")
def hook_url() -> Iterator[str]:
    """A plain HTTP webhook receiver on loopback, in a thread (the chat blocks the test)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
