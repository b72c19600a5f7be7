"""The S3 connector: an inbound source of files and an outbound sink for job results."""

from __future__ import annotations

import asyncio
import io
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from itertools import islice
from typing import Any

from botocore.response import StreamingBody
from mypy_boto3_s3 import S3Client
from ulid import ULID

from connectors.base import CheckSteps, Connector, Delivery, ReadMessage
from connectors.errors import AuthError, InvalidConfigError
from connectors.formats import infer_columns, read_records
from connectors.results import (
    Catalog,
    FailureClass,
    FileInfo,
    RecordMessage,
    StateMessage,
    Stream,
    WriteResult,
)
from connectors.s3.client import endpoint_of, make_client, s3_errors
from connectors.s3.config import S3Config, S3Secrets, join_key
from connectors.s3.listing import S3Cursor, list_files, stream_name
from connectors.spec import ConnectorSpec, Role, fields_of
from connectors.threads import iterate_in_thread
from connectors.wording import human_bytes

__all__ = ["S3Connector"]

_BODY_BUFFER = 1 << 20


class _BodyReader(io.RawIOBase):
    """A raw stream over a boto3 body, so parsers can wrap it in buffered/text readers."""

    def __init__(self, body: StreamingBody) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


class S3Connector(Connector[S3Config, S3Secrets]):
    """Files in an S3 bucket (or any S3-compatible store) under a prefix."""

    config_model = S3Config
    secrets_model = S3Secrets
    spec = ConnectorSpec(
        type="S3",
        label="Amazon S3",
        aliases=("s3", "amazon s3", "aws s3", "aws", "bucket", "minio", "seaweedfs", "r2"),
        roles=(Role.INVENTORY_SOURCE, Role.RESULTS_SINK),
        fields=fields_of(S3Config, S3Secrets),
        description="Pull CSV, JSON, NDJSON or XLSX files from a bucket prefix, or push results.",
    )

    def check_step_names(self, role: Role) -> tuple[str, ...]:
        """Sources list the prefix; sinks prove they can write."""
        last = "list_prefix" if role is Role.INVENTORY_SOURCE else "write_access"
        return ("resolve_endpoint", "authenticate", last)

    # -- check ----------------------------------------------------------------------------

    async def _check(
        self, config: S3Config, secrets: S3Secrets, role: Role, steps: CheckSteps
    ) -> str:
        with steps.step("resolve_endpoint") as note:
            client = await asyncio.to_thread(make_client, config, secrets, self.context)
            scheme, host, port = endpoint_of(config, self.context)
            note["message"] = f"{scheme}://{host}:{port} is allowed and resolves."
        with steps.step("authenticate") as note:
            can_list = await asyncio.to_thread(self._authenticate, client, config)
            note["message"] = "The key pair is valid."
        if role is Role.RESULTS_SINK:
            with steps.step("write_access") as note:
                await asyncio.to_thread(self._probe_write, client, config)
                note["message"] = f"The key can write to {config.location}."
            return f"Ready to write results to {config.location}."
        with steps.step("list_prefix") as note:
            if not can_list:
                raise AuthError(
                    f"The key is valid but is not allowed to list {config.location}. "
                    "A source needs s3:ListBucket and s3:GetObject.",
                    failure=FailureClass.PERMISSION_DENIED,
                    field="access_key_id",
                )
            files = await asyncio.to_thread(self._list, client, config)
            size = sum(f.size for f in files)
            steps.details.update(
                objects=len(files),
                bytes=size,
                streams=sorted({stream_name(f.key, config.prefix) for f in files}),
                sample_keys=[f.key for f in files[:5]],
            )
            note["message"] = (
                f"Found {len(files)} {config.format.value} file(s), {human_bytes(size)}."
            )
        if not files:
            return (
                f"Connected, but there are no {config.format.value} files under "
                f"{config.location} yet."
            )
        return (
            f"Connected. The next sync would pull {len(files)} file(s) "
            f"({human_bytes(size)}) from {config.location}."
        )

    @staticmethod
    def _authenticate(client: S3Client, config: S3Config) -> bool:
        """Make one signed request; return whether the key may list the prefix.

        S3 checks the signature before the policy, so AccessDenied proves the key itself
        is valid: a write-only sink key passes this step.
        """
        try:
            with s3_errors(config, "list objects"):
                client.list_objects_v2(Bucket=config.bucket, Prefix=config.prefix, MaxKeys=1)
        except AuthError as exc:
            if exc.failure is FailureClass.PERMISSION_DENIED:
                return False
            raise
        return True

    @staticmethod
    def _probe_write(client: S3Client, config: S3Config) -> None:
        """Start and abort a multipart upload: needs s3:PutObject, leaves no object behind."""
        key = join_key(config.prefix, f".ingestion-agent-write-check-{ULID()}")
        with s3_errors(config, "write objects"):
            upload = client.create_multipart_upload(Bucket=config.bucket, Key=key)
            client.abort_multipart_upload(
                Bucket=config.bucket, Key=key, UploadId=upload["UploadId"]
            )

    @staticmethod
    def _list(client: S3Client, config: S3Config) -> list[FileInfo]:
        with s3_errors(config, "list objects"):
            return list(list_files(client, config))

    # -- discover -------------------------------------------------------------------------

    async def _discover(self, config: S3Config, secrets: S3Secrets) -> Catalog:
        client = await asyncio.to_thread(make_client, config, secrets, self.context)
        files = await asyncio.to_thread(self._list, client, config)
        groups: dict[str, list[FileInfo]] = defaultdict(list)
        for file in files:
            groups[stream_name(file.key, config.prefix)].append(file)
        streams = await asyncio.gather(
            *(self._describe(client, config, name, group) for name, group in groups.items())
        )
        return Catalog(streams=tuple(sorted(streams, key=lambda s: s.name)))

    async def _describe(
        self, client: S3Client, config: S3Config, name: str, files: list[FileInfo]
    ) -> Stream:
        """Infer a stream's columns from a bounded sample of its most recent files."""
        recent = sorted(files, key=lambda f: f.last_modified, reverse=True)
        sample = recent[: self.context.sample_files]
        # The files are read in parallel: each sample is a round trip dominated by latency.
        rows = await asyncio.gather(
            *(asyncio.to_thread(self._sample_rows, client, config, f) for f in sample)
        )
        columns = infer_columns(r for part in rows for r in part)
        return Stream(
            name=name,
            columns=columns,
            size_bytes=sum(f.size for f in files),
            file_count=len(files),
            cursor_candidates=("_last_modified",),
            description=f"{len(files)} file(s) like {recent[0].key}",
        )

    def _sample_rows(
        self, client: S3Client, config: S3Config, file: FileInfo
    ) -> list[dict[str, Any]]:
        with self._open(client, config, file) as body:
            return list(islice(self._records(body, config), self.context.sample_rows))

    # -- read -----------------------------------------------------------------------------

    def _read(
        self,
        config: S3Config,
        secrets: S3Secrets,
        streams: tuple[str, ...],
        state: dict[str, Any],
    ) -> AsyncIterator[ReadMessage]:
        wanted = set(streams)
        return iterate_in_thread(lambda: self._read_sync(config, secrets, wanted, state))

    def _read_sync(
        self, config: S3Config, secrets: S3Secrets, wanted: set[str], state: dict[str, Any]
    ) -> Iterator[ReadMessage]:
        client = make_client(config, secrets, self.context)
        cursor = S3Cursor.from_state(state)
        for file in cursor.new_files(self._list(client, config)):
            name = stream_name(file.key, config.prefix)
            if name in wanted:
                with self._open(client, config, file) as body:
                    for record in self._records(body, config):
                        yield RecordMessage(stream=name, data=record)
            # Checkpoint after each whole file: a resumed read starts at the next file.
            cursor = cursor.advance(file)
            yield StateMessage(state=cursor.to_state())

    def _open(self, client: S3Client, config: S3Config, file: FileInfo) -> io.BufferedReader:
        with s3_errors(config, "read objects"):
            response = client.get_object(Bucket=config.bucket, Key=file.key, IfMatch=file.etag)
        return io.BufferedReader(_BodyReader(response["Body"]), _BODY_BUFFER)

    @staticmethod
    def _records(body: io.BufferedReader, config: S3Config) -> Iterator[dict[str, Any]]:
        return read_records(body, config.format, records_path=config.records_path)

    # -- write ----------------------------------------------------------------------------

    async def _write(self, config: S3Config, secrets: S3Secrets, delivery: Delivery) -> WriteResult:
        if not delivery.path.is_file():
            raise InvalidConfigError(f"The result file {delivery.path.name} does not exist.")
        key = join_key(config.prefix, f"job-{delivery.job_id}.{delivery.format.extension}")
        client = await asyncio.to_thread(make_client, config, secrets, self.context)

        def put() -> int:
            size = delivery.path.stat().st_size
            with s3_errors(config, "write objects"), delivery.path.open("rb") as body:
                client.put_object(
                    Bucket=config.bucket,
                    Key=key,
                    Body=body,
                    ContentLength=size,
                    Metadata={"delivery-id": delivery.delivery_id},
                )
            return size

        size = await asyncio.to_thread(put)
        return WriteResult(location=f"s3://{config.bucket}/{key}", bytes_written=size)
