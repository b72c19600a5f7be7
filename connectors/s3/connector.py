"""The S3 connector: an inbound source of files and an outbound sink for job results."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

import structlog
from ulid import ULID

from connectors.base import CheckSteps, Delivery, FileConnector, ReadMessage
from connectors.errors import AuthError, DataFormatError, InvalidConfigError, ResourceNotFoundError
from connectors.files import FileSource
from connectors.formats import infer_columns, read_records
from connectors.results import (
    Catalog,
    Column,
    FailureClass,
    FileInfo,
    RecordMessage,
    StateMessage,
    Stream,
    WriteResult,
)
from connectors.s3.client import (
    ObjectBody,
    Unavailable,
    endpoint_of,
    get_object,
    make_client,
    s3_errors,
)
from connectors.s3.config import S3Config, S3Secrets, join_key
from connectors.s3.cursor import CheckpointCadence, CursorTracker, S3Cursor, cursors_from_state
from connectors.s3.files import S3Files
from connectors.s3.listing import StreamFiles, list_files, stream_name, survey
from connectors.s3.reader import BucketReader
from connectors.spec import ConnectorSpec, Role, fields_of
from connectors.threads import iterate_in_thread
from core.wording import human_bytes, plural

if TYPE_CHECKING:
    # boto3-stubs comes with the dev extras only: the type exists for mypy, not at run time.
    from mypy_boto3_s3 import S3Client

__all__ = ["S3Connector"]

log = structlog.get_logger(__name__)

_BODY_BUFFER = 1 << 20
# Sample files read at once by discover, whatever the number of streams.
_SAMPLE_CONCURRENCY = 8
# Stream names quoted when a requested stream does not exist, out of so many kept.
_NAMES_QUOTED = 5
_NAMES_KEPT = 50


class S3Connector(FileConnector[S3Config, S3Secrets]):
    """Files in an S3 bucket (or any S3-compatible store) under a prefix.

    Attributes:
        checkpoint_files: A read checkpoints after this many files at the latest...
        checkpoint_seconds: ...or after the file that ends this many seconds, and always
            at the end. A read stopped in between re-reads at most the files since its last
            checkpoint; downstream de-duplicates by key and ETag.
    """

    config_model = S3Config
    secrets_model = S3Secrets
    spec = ConnectorSpec(
        type="S3",
        label="Amazon S3",
        aliases=(
            "s3",
            "amazon s3",
            "aws s3",
            "aws",
            "bucket",
            "minio",
            "seaweedfs",
            "r2",
            "amazon",
            "s3 bucket",
            "s 3",
            "aws bucket",
            "amazon bucket",
            "s3 storage",
            "object storage",
            "s3 compatible",
            "cloudflare r2",
            "wasabi",
        ),
        roles=(Role.INVENTORY_SOURCE, Role.RESULTS_SINK),
        fields=fields_of(S3Config, S3Secrets),
        description="Pull CSV, JSON, NDJSON or XLSX files from a bucket prefix, or push results.",
        dsn_schemes=("s3", "s3a", "s3n"),
        dsn_form="bucket",
        zero_stream_hints=(
            "the prefix is empty, or the files are under another prefix",
            "the files are in another format than the one chosen",
            "the key may list only part of the bucket",
        ),
        reask={
            FailureClass.AUTH_FAILED: ("secret_access_key", "access_key_id"),
            FailureClass.PERMISSION_DENIED: ("access_key_id", "secret_access_key"),
            FailureClass.NOT_FOUND: ("bucket", "prefix"),
            FailureClass.UNREACHABLE: ("endpoint_url",),
            FailureClass.TIMEOUT: ("endpoint_url",),
            FailureClass.TLS: ("endpoint_url",),
            FailureClass.BLOCKED_BY_POLICY: ("endpoint_url",),
            FailureClass.MALFORMED_DATA: ("format", "records_path"),
        },
    )
    checkpoint_files: int = 100
    checkpoint_seconds: float = 1.0

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
            shown = f"[{host}]" if ":" in host else host
            note["message"] = f"{scheme}://{shown}:{port} is allowed and resolves."
        with steps.step("authenticate") as note:
            can_list = await asyncio.to_thread(self._authenticate, client, config)
            note["message"] = "The key pair is valid."
        if role is Role.RESULTS_SINK:
            with steps.step("write_access") as note:
                note["message"] = await asyncio.to_thread(self._probe_write, client, config)
            return f"Ready to write results to {config.location}."
        with steps.step("list_prefix") as note:
            if not can_list:
                raise AuthError(
                    f"The key is valid but is not allowed to list {config.location}. "
                    "A source needs s3:ListBucket and s3:GetObject.",
                    failure=FailureClass.PERMISSION_DENIED,
                    field="access_key_id",
                )
            streams, sample_keys = await asyncio.to_thread(survey, client, config, 0)
            count = sum(s.count for s in streams.values())
            size = sum(s.size for s in streams.values())
            steps.details.update(
                objects=count, bytes=size, streams=sorted(streams), sample_keys=sample_keys
            )
            note["message"] = (
                f"Found {plural(count, config.format.value + ' file')}, {human_bytes(size)}."
            )
        if not count:
            return (
                f"Connected, but there are no {config.format.value} files under "
                f"{config.location} yet."
            )
        return (
            f"Connected. The next sync would pull {plural(count, 'file')} "
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
    def _probe_write(client: S3Client, config: S3Config) -> str:
        """Start and abort a multipart upload: needs s3:PutObject, leaves no object behind.

        AWS grants ``s3:AbortMultipartUpload`` separately. A key allowed to start the upload
        but not to abort it can still write, so that is a success, with a note that an
        incomplete upload was left for the bucket's lifecycle rules to clean up.
        """
        key = join_key(config.prefix, f".ingestion-agent-write-check-{ULID()}")
        with s3_errors(config, "write objects"):
            upload = client.create_multipart_upload(Bucket=config.bucket, Key=key)
        try:
            with s3_errors(config, "abort the test upload"):
                client.abort_multipart_upload(
                    Bucket=config.bucket, Key=key, UploadId=upload["UploadId"]
                )
        except AuthError as exc:
            if exc.failure is not FailureClass.PERMISSION_DENIED:
                raise
            log.info("s3_write_check_upload_left", bucket=config.bucket, key=key)
            return (
                f"The key can write to {config.location}. It may not abort uploads "
                f"(s3:AbortMultipartUpload), so the incomplete test upload {key} was left "
                "behind; a lifecycle rule that aborts incomplete multipart uploads cleans "
                "it up."
            )
        return f"The key can write to {config.location}."

    # -- discover -------------------------------------------------------------------------

    async def _discover(self, config: S3Config, secrets: S3Secrets) -> Catalog:
        client = await asyncio.to_thread(make_client, config, secrets, self.context)
        streams, _ = await asyncio.to_thread(survey, client, config, self.context.sample_files)
        # Shared by all streams: a prefix with hundreds of them still reads 8 files at once.
        limit = asyncio.Semaphore(_SAMPLE_CONCURRENCY)
        described = await asyncio.gather(
            *(self._describe(client, config, name, files, limit) for name, files in streams.items())
        )
        return Catalog(streams=tuple(sorted(described, key=lambda s: s.name)))

    async def _describe(
        self,
        client: S3Client,
        config: S3Config,
        name: str,
        files: StreamFiles,
        limit: asyncio.Semaphore,
    ) -> Stream:
        """Infer a stream's columns from a bounded sample of its most recent files.

        A sample that does not parse leaves the stream without columns, with a description
        that says why, instead of failing the whole catalog.
        """
        sample = files.newest()
        # The files are read in parallel: each sample is a round trip dominated by latency.
        outcomes = await asyncio.gather(*(self._sample(client, config, f, limit) for f in sample))
        rows = [o for o in outcomes if not isinstance(o, DataFormatError)]
        description = plural(files.count, "file") + (f" like {sample[0].key}" if sample else "")
        columns: tuple[Column, ...] = ()
        failed = next(
            (
                (f, o)
                for f, o in zip(sample, outcomes, strict=True)
                if isinstance(o, DataFormatError)
            ),
            None,
        )
        if failed is None:
            columns = infer_columns(row for part in rows for row in part)
        else:
            bad, error = failed
            description += (
                f". The sample file {bad.key} could not be read as {config.format.value} "
                f"({error.message.rstrip('.')}), so no columns were inferred."
            )
        return Stream(
            name=name,
            columns=columns,
            size_bytes=files.size,
            file_count=files.count,
            cursor_candidates=("_last_modified",),
            description=description,
        )

    async def _sample(
        self, client: S3Client, config: S3Config, file: FileInfo, limit: asyncio.Semaphore
    ) -> list[dict[str, Any]] | DataFormatError:
        async with limit:
            try:
                return await asyncio.to_thread(self._sample_rows, client, config, file)
            except DataFormatError as exc:
                log.info("s3_sample_unreadable", bucket=config.bucket, key=file.key)
                return exc

    def _sample_rows(
        self, client: S3Client, config: S3Config, file: FileInfo
    ) -> list[dict[str, Any]]:
        body = get_object(client, config, file)
        if isinstance(body, Unavailable):
            return []  # gone or rewritten since listed: the other samples speak for it
        with self._buffered(body) as stream:
            return list(islice(self._records(stream, config), self.context.sample_rows))

    # -- read -----------------------------------------------------------------------------

    def _read(
        self,
        config: S3Config,
        secrets: S3Secrets,
        streams: tuple[str, ...],
        state: dict[str, Any],
    ) -> AsyncIterator[ReadMessage]:
        wanted = frozenset(streams)
        return iterate_in_thread(lambda: self._read_sync(config, secrets, wanted, state))

    def _read_sync(
        self,
        config: S3Config,
        secrets: S3Secrets,
        wanted: frozenset[str],
        state: Mapping[str, Any],
    ) -> Iterator[ReadMessage]:
        """Read the new files of the ``wanted`` streams, oldest first, with checkpoints.

        Each stream keeps its own cursor, so a stream selected later still gets its older
        files. Streams not requested keep their state unchanged.
        """
        saved = cursors_from_state(state)
        client = make_client(config, secrets, self.context)
        trackers = {name: CursorTracker(saved.get(name)) for name in wanted}
        pending = self._pending_files(client, config, trackers, known=saved.keys())
        cadence = CheckpointCadence(files=self.checkpoint_files, seconds=self.checkpoint_seconds)
        for file in pending:
            name = stream_name(file.key, config.prefix)
            body = get_object(client, config, file)
            if isinstance(body, Unavailable):
                log.info("s3_object_skipped", reason=body.value, bucket=config.bucket, key=file.key)
            else:
                with self._buffered(body) as stream:
                    for record in self._records(stream, config):
                        yield RecordMessage(stream=name, data=record)
            # A rewritten object is not advanced past: the next read lists its new ETag.
            if body is not Unavailable.REWRITTEN:
                trackers[name].advance(file)
            if cadence.file_done():
                yield StateMessage(state=self._state(saved, trackers))
        if cadence.due_at_end():
            yield StateMessage(state=self._state(saved, trackers))

    @staticmethod
    def _pending_files(
        client: S3Client,
        config: S3Config,
        trackers: Mapping[str, CursorTracker],
        known: Iterable[str],
    ) -> list[FileInfo]:
        """The wanted streams' new files, oldest first; only they are held, not the listing.

        Raises:
            ResourceNotFoundError: A requested stream matches no file under the prefix and was
                never read before (a misspelling would otherwise yield nothing, forever).
        """
        pending: list[FileInfo] = []
        listed: set[str] = set()  # requested streams with files
        others: set[str] = set()  # a few other streams, to suggest
        with s3_errors(config, "list objects"):
            for file in list_files(client, config):
                name = stream_name(file.key, config.prefix)
                tracker = trackers.get(name)
                if tracker is None:
                    if len(others) < _NAMES_KEPT:
                        others.add(name)
                    continue
                listed.add(name)
                if tracker.is_new(file):
                    pending.append(file)
        # A stream read before whose files were all deleted (lifecycle rules) is not unknown.
        missing = sorted(trackers.keys() - listed - set(known))
        if missing:
            raise _unknown_stream(missing[0], config, sorted(others | listed))
        pending.sort(key=lambda f: (f.last_modified, f.key))
        return pending

    @staticmethod
    def _state(
        saved: Mapping[str, S3Cursor], trackers: Mapping[str, CursorTracker]
    ) -> dict[str, Any]:
        streams = {
            name: cursor.to_state() for name, cursor in saved.items() if name not in trackers
        }
        streams.update((name, tracker.snapshot().to_state()) for name, tracker in trackers.items())
        return {"streams": streams}

    @staticmethod
    def _buffered(body: ObjectBody) -> io.BufferedReader:
        return io.BufferedReader(body, _BODY_BUFFER)

    @staticmethod
    def _records(body: io.BufferedReader, config: S3Config) -> Iterator[dict[str, Any]]:
        return read_records(body, config.format, records_path=config.records_path)

    # -- files (pulls) --------------------------------------------------------------------

    async def _files(self, config: S3Config, secrets: S3Secrets, connections: int) -> FileSource:
        reader = await asyncio.to_thread(BucketReader, config, secrets, self.context, connections)
        return S3Files(reader, config)

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


def _unknown_stream(name: str, config: S3Config, names: list[str]) -> ResourceNotFoundError:
    if not names:
        return ResourceNotFoundError(
            f"There is no stream {name!r}: there are no {config.format.value} files under "
            f"{config.location}.",
            field="streams",
        )
    quoted = ", ".join(names[:_NAMES_QUOTED])
    more = ", ..." if len(names) > _NAMES_QUOTED else ""
    return ResourceNotFoundError(
        f"There is no stream {name!r} under {config.location}; its streams include {quoted}{more}.",
        field="streams",
    )
