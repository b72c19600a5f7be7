"""``ingestion-agent demo`` as a real process: it starts, its printed lines work, it stops.

The test follows the guide the demo prints: it types the printed chat lines into the
HTTP session API (so the S3 source is created against the demo's own SeaweedFS with the
printed read-only key), creates the webhook sink the same way, sends a signed delivery to
the receiver, then stops the demo with SIGINT and checks that SeaweedFS is gone.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from standardwebhooks import Webhook

from api.demo import READY_LINE
from api.demo.folder import MARKER, claim_data_dir
from tests.support.ports import free_port

SESSIONS = "/api/v1/agents/ingestion/sessions"
HEADERS = {"X-Tenant-Id": "local", "X-User-ID": "tester", "X-User-Roles": "ROLE_DATA_ENGINEER"}
_START_TIMEOUT = 120.0


def _cli() -> str:
    return str(Path(sys.executable).with_name("ingestion-agent"))


class Lines:
    """Reads a pipe in a thread, so the test can wait for a line with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def until(self, wanted: str, within: float) -> list[str]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
            if wanted in line:
                return self.seen
        raise AssertionError(f"{wanted!r} never came; the demo printed:\n" + "\n".join(self.seen))


def _block(lines: list[str], heading: str) -> list[str]:
    """The indented lines to type after ``heading``, without the ``#`` notes."""
    start = next(n for n, line in enumerate(lines) if heading in line) + 1
    while not lines[start].startswith("    "):
        start += 1
    block = []
    while lines[start].startswith("    "):
        block.append(lines[start].strip())
        start += 1
    return [line for line in block if not line.startswith("#")]


def _field(lines: list[str], label: str) -> str:
    line = next(line for line in lines if line.strip().startswith(label))
    return line.split()[len(label.split())]


def _converse(http: httpx.Client, typed: list[str]) -> dict[str, Any]:
    """Type each line into a new conversation, waiting out background work; the last reply."""
    reply: dict[str, Any] = http.post(SESSIONS, json={}).json()
    session = reply["session_id"]
    for text in typed:
        response = http.post(f"{SESSIONS}/{session}/chat", json={"message": text})
        assert response.status_code == 200, response.text
        reply = response.json()
        deadline = time.monotonic() + 90  # start-up on a loaded machine
        while reply["data"].get("task"):
            assert time.monotonic() < deadline, "background work did not finish"
            time.sleep(0.1)
            reply = http.get(f"{SESSIONS}/{session}").json()["last_reply"]
    return reply


def _weeds_under(folder: Path) -> list[int]:
    """Processes whose command line is a ``weed`` running on ``folder``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "weed" in command and str(folder) in command:
            found.append(int(proc.name))
    return found


def _pull_as_printed(printed: list[str], source_id: str, lines: Lines) -> None:
    """The first pull's results reach the receiver; the printed REST lines pull again.

    Without the sync engine the guide must say so rather than pretend (404).
    """
    if not any("Pull the source again" in line for line in printed):
        assert any("not in this build yet" in line for line in printed)
        return
    pushed = lines.until("webhook ← POST job_", 60)
    assert "signature verified; saved as" in pushed[-1]
    rest = _block(printed, "Pull the source again")
    script = "\n".join(
        f"SOURCE={source_id}" if line.startswith("SOURCE=") else line for line in rest
    )
    result = subprocess.run(
        ["bash", "-c", f"set -e\n{script}"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert '"trigger": "manual"' in result.stdout


@pytest.fixture
def demo(tmp_path: Path, repo_root: Path) -> Iterator[tuple[subprocess.Popen[str], Lines, Path]]:
    folder = tmp_path / "demo"
    process = subprocess.Popen(
        [_cli(), "demo", "--port", str(free_port()), "--data-dir", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "INGESTION_AGENT_LOG_FORMAT": "json"},
        cwd=repo_root,  # where `make demo` runs it
    )
    assert process.stdout is not None
    try:
        yield process, Lines(process.stdout), folder
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in _weeds_under(folder):
            os.kill(pid, signal.SIGKILL)


def _chat_as_pasted(printed: list[str], cwd: Path) -> None:
    """The printed chat line works in a shell whose PATH lacks the virtual environment."""
    (line,) = _block(printed, "Start a chat in another terminal")
    assert " chat --url http://127.0.0.1:" in line
    result = subprocess.run(
        ["bash", "-c", line],
        cwd=cwd,
        stdin=subprocess.DEVNULL,  # Ctrl-D at the first prompt: the chat says bye
        env={**os.environ, "PATH": os.defpath, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Welcome!" in result.stdout


def test_the_demo_serves_what_it_prints_and_stops_on_ctrl_c(
    demo: tuple[subprocess.Popen[str], Lines, Path], repo_root: Path
) -> None:
    process, lines, folder = demo
    printed = lines.until(READY_LINE, _START_TIMEOUT)
    _chat_as_pasted(printed, repo_root)
    service = _field(printed, "service")
    webhook_url = _field(printed, "webhook receiver")
    s3_lines = _block(printed, "connect the S3 source")
    sink_lines = _block(printed, "Connect the webhook sink")
    assert _weeds_under(folder)

    with httpx.Client(base_url=service, headers=HEADERS, timeout=30) as http:
        sink = _converse(http, sink_lines)
        source = _converse(http, s3_lines)
        agent = http.get("/api/v1/agents/default").json()
        created = http.get(f"/api/v1/agents/{agent['id']}/data-sources").json()["items"]

    assert source["state"] == "done", source["message"]
    assert sink["state"] == "done", sink["message"]
    by_type = {item["type"]: item for item in created}
    assert by_type["S3"]["selectedStreams"] == ["customers", "orders", "products"]
    assert by_type["S3"]["scheduleCron"] == "0 */6 * * *"
    assert by_type["WEBHOOK"]["role"] == "RESULTS_SINK"

    signing_secret = sink_lines[sink_lines.index(webhook_url) + 1]
    body = '{"job": "job_demo", "rows": 3}'
    headers = {
        "webhook-id": "msg_demo_1",
        "webhook-timestamp": str(int(time.time())),
        "Content-Type": "application/json",
    }
    good = Webhook(signing_secret).sign("msg_demo_1", datetime.now(UTC), body)
    assert httpx.options(webhook_url).status_code == 204
    signed = httpx.post(webhook_url, content=body, headers={**headers, "webhook-signature": good})
    forged = httpx.post(
        webhook_url, content=body, headers={**headers, "webhook-signature": "v1,AAAA"}
    )
    assert signed.status_code == 204
    assert forged.status_code == 401
    # The first pull's job results may have arrived before it: find this delivery by content.
    saved = sorted((folder / "webhook" / "deliveries").glob("*.json"))
    assert body in [path.read_text() for path in saved]

    _pull_as_printed(printed, by_type["S3"]["id"], lines)

    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 0
    output = "\n".join(lines.until("Stopped.", 5))
    assert "webhook ← POST msg_demo_1" in output
    assert "signature verified" in output
    assert "signature does NOT verify: refused" in output
    assert "Traceback" not in output
    assert _weeds_under(folder) == []


def _earlier_demo_folder(folder: Path) -> None:
    """What a demo leaves in its folder: its marker, data and logs."""
    (folder / "s3").mkdir(parents=True)
    (folder / MARKER).write_text("made by `ingestion-agent demo`\n")
    (folder / "service.log").write_text("the running demo's log\n")


def test_a_port_in_use_is_one_line_exit_code_1_and_deletes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    _earlier_demo_folder(folder)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [_cli(), "demo", "--port", str(port), "--data-dir", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert result.returncode == 1
    assert result.stderr == (
        f"ingestion-agent demo: port {port} is in use: stop what uses it or pass --port\n"
    )
    assert (folder / "service.log").read_text() == "the running demo's log\n"
    assert (folder / "s3").is_dir()


def test_a_second_demo_on_other_ports_leaves_the_running_ones_folder(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    _earlier_demo_folder(folder)

    with claim_data_dir(folder):  # as the running demo holds it
        (folder / "service.log").write_text("the running demo's log\n")
        try:
            result = subprocess.run(
                [_cli(), "demo", "--port", str(free_port()), "--data-dir", str(folder)],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:  # a demo that went ahead would leave its SeaweedFS behind
            for pid in _weeds_under(folder):
                os.kill(pid, signal.SIGKILL)

        assert result.returncode == 1
        assert "belongs to a demo that is still running" in result.stderr
        assert (folder / "service.log").read_text() == "the running demo's log\n"
