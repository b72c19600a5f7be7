"""A real S3 server for tests: SeaweedFS (``weed server -s3``) on loopback ports.

It runs with an identities file so that a full-access key, a read-only key, a write-only
key and unknown keys get the answers a real S3 gives: ``AccessDenied``,
``InvalidAccessKeyId`` and ``SignatureDoesNotMatch``. It is configured like the demo's
server (``api.demo.seaweed.prepare_weed``), with room for the many buckets a suite makes.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.demo.ports import free_port_with_twin
from api.demo.seaweed import ADMIN_ACTIONS, READ_ACTIONS, prepare_weed, weed_binary

__all__ = ["S3Identity", "SeaweedS3", "run_seaweedfs"]

_START_TIMEOUT = 60.0
# weed lingers on SIGTERM for 15 s or more; its data is throw-away, so it gets 2 s.
_STOP_TIMEOUT = 2.0
_VOLUME_MAX = 400


@dataclass(frozen=True)
class S3Identity:
    """An access key pair known to the server (or deliberately not)."""

    access_key_id: str
    secret_access_key: str

    def secrets(self) -> dict[str, str]:
        """The pair as connector secrets."""
        return {"access_key_id": self.access_key_id, "secret_access_key": self.secret_access_key}


@dataclass(frozen=True)
class SeaweedS3:
    """A running server and its identities."""

    endpoint_url: str
    admin: S3Identity
    reader: S3Identity
    writer: S3Identity
    unknown: S3Identity
    wrong_secret: S3Identity
    log_path: Path


@contextmanager
def run_seaweedfs(workdir: Path) -> Iterator[SeaweedS3]:
    """Start ``weed server -s3`` in ``workdir``; stop it on exit."""
    admin = S3Identity("AKIATESTADMIN0000001", "admin-secret-key-for-tests-000001")
    reader = S3Identity("AKIATESTREADER000001", "reader-secret-key-for-tests-00001")
    writer = S3Identity("AKIATESTWRITER000001", "writer-secret-key-for-tests-00001")
    unknown = S3Identity("AKIATESTUNKNOWN00001", "unknown-secret-key-for-tests-0001")
    wrong = S3Identity(admin.access_key_id, "not-the-admin-secret-key-00000001")
    identities = {
        "admin": (admin, ADMIN_ACTIONS),
        "reader": (reader, READ_ACTIONS),
        "writer": (writer, ("Write",)),
    }
    taken: set[int] = set()
    s3 = free_port_with_twin(taken)
    command = prepare_weed(
        weed_binary(), workdir, identities, s3_port=s3, taken=taken, volume_max=_VOLUME_MAX
    )
    log_path = workdir / "weed.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=workdir)
        try:
            endpoint = f"http://127.0.0.1:{s3}"
            _wait_ready(endpoint, process, log_path)
            yield SeaweedS3(endpoint, admin, reader, writer, unknown, wrong, log_path)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(endpoint: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"weed server exited with {process.returncode}:\n{tail}")
        try:
            # Any S3 answer (403 for an anonymous request) means the gateway is up.
            if httpx.get(endpoint, timeout=1.0).status_code in {200, 403}:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"weed server did not answer at {endpoint} within {_START_TIMEOUT}s")
