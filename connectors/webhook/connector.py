"""The HTTPS webhook connector: fetch a URL as a source, POST signed results as a sink.

Every request goes through the connection guard's client, which never follows redirects
(credentials must not travel to a place the person did not name) and connects only to
addresses the guard allowed.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import aclosing
from itertools import islice
from typing import Any, BinaryIO

import httpx
from pydantic import SecretStr

from connectors.base import CheckSteps, ConnectorContext, Delivery, FileConnector, ReadMessage
from connectors.errors import DataFormatError, InvalidConfigError, ResourceNotFoundError
from connectors.files import FileSource
from connectors.formats import infer_columns, read_records
from connectors.guard import guarded_client
from connectors.results import (
    Catalog,
    Column,
    FailureClass,
    RecordMessage,
    StateMessage,
    Stream,
    WriteResult,
)
from connectors.spec import ConnectorSpec, DataFormat, Role, fields_of
from connectors.threads import iterate_in_thread
from connectors.webhook._http import (
    USER_AGENT,
    is_success,
    status_error,
    translate_http_errors,
)
from connectors.webhook.config import WebhookConfig, WebhookSecrets
from connectors.webhook.delivery import DeliveryPolicy, deliver
from connectors.webhook.fetch import (
    Body,
    WebhookCursor,
    choose_format,
    download,
    is_web_page,
    stream_name,
)
from connectors.webhook.files import WebhookFiles
from connectors.webhook.signing import WebhookSigner
from core.wording import human_bytes

__all__ = ["WebhookConnector"]

# Bodies up to this size are parsed to the end during discovery, to count their records.
_COUNT_RECORDS_UP_TO = 16 << 20
_DEFAULT_MAX_BODY = 1 << 30


class WebhookConnector(FileConnector[WebhookConfig, WebhookSecrets]):
    """A URL that returns CSV / JSON / NDJSON / XLSX, or a receiver of signed results."""

    config_model = WebhookConfig
    secrets_model = WebhookSecrets
    spec = ConnectorSpec(
        type="WEBHOOK",
        label="HTTPS webhook",
        aliases=(
            "webhook",
            "web hook",
            "https webhook",
            "http",
            "https",
            "url",
            "api endpoint",
            "http endpoint",
            "endpoint",
            "api",
            "hook",
            "rest api",
            "http api",
            "json api",
            "https endpoint",
            "https url",
            "callback url",
            "json feed",
        ),
        roles=(Role.INVENTORY_SOURCE, Role.RESULTS_SINK),
        fields=fields_of(WebhookConfig, WebhookSecrets),
        description=(
            "Fetch CSV, JSON, NDJSON or XLSX from a URL, or POST signed results "
            "(Standard Webhooks) to a receiver."
        ),
        dsn_schemes=("http", "https"),
        dsn_form="url",
        zero_stream_hints=(
            "the URL answered with no records",
            "the records are nested: set a records path",
        ),
        reask={
            FailureClass.AUTH_FAILED: ("auth_header",),
            FailureClass.PERMISSION_DENIED: ("auth_header",),
            FailureClass.NOT_FOUND: ("url",),
            FailureClass.UNREACHABLE: ("url",),
            FailureClass.TIMEOUT: ("url",),
            FailureClass.TLS: ("url",),
            FailureClass.BLOCKED_BY_POLICY: ("url",),
            FailureClass.ENDPOINT_GONE: ("url",),
            FailureClass.MALFORMED_DATA: ("format", "records_path"),
        },
    )

    def __init__(
        self,
        context: ConnectorContext | None = None,
        *,
        delivery_policy: DeliveryPolicy | None = None,
        max_body_bytes: int = _DEFAULT_MAX_BODY,
    ) -> None:
        """Create the connector.

        Args:
            context: Guard policy, TLS trust and timeout.
            delivery_policy: Retries of sink deliveries; the defaults suit production.
            max_body_bytes: The largest response body a source may return.
        """
        super().__init__(context)
        self.delivery_policy = delivery_policy or DeliveryPolicy()
        self.max_body_bytes = max_body_bytes

    def check_step_names(self, role: Role) -> tuple[str, ...]:
        """Sinks prove the receiver listens; sources also fetch the data once."""
        if role is Role.RESULTS_SINK:
            return ("signing_secret", "resolve_endpoint", "ping")
        return ("resolve_endpoint", "ping", "fetch")

    # -- plumbing -------------------------------------------------------------------------

    def _client(self) -> httpx.AsyncClient:
        ctx = self.context
        return guarded_client(
            ctx.network,
            verify=ctx.ssl_context if ctx.ssl_context is not None else True,
            timeout=ctx.timeout,
            headers={"User-Agent": USER_AGENT},
        )

    @staticmethod
    def _headers(config: WebhookConfig, secrets: WebhookSecrets) -> dict[str, str]:
        headers = dict(config.headers)
        if secrets.auth_header is not None:
            # The one place the credential leaves its SecretStr: on its way into a request.
            headers["Authorization"] = secrets.auth_header.get_secret_value()
        return headers

    # -- check ----------------------------------------------------------------------------

    async def _check(
        self, config: WebhookConfig, secrets: WebhookSecrets, role: Role, steps: CheckSteps
    ) -> str:
        where = config.display_url
        if role is Role.RESULTS_SINK:
            with steps.step("signing_secret") as note:
                _require_signing_secret(secrets)
                note["message"] = "A signing secret is set; receivers can verify deliveries."
        with steps.step("resolve_endpoint") as note:
            policy = self.context.network
            _, host, port = policy.check_url(config.url)
            addresses = await policy.resolve(host, port)
            shown = ", ".join(str(a) for a in addresses[:3])
            note["message"] = f"{host} resolves to {shown}, which may be contacted."
        async with self._client() as client:
            with steps.step("ping") as note:
                status = await self._ping(client, config, secrets)
                steps.details["ping_status"] = status
                note["message"] = f"The endpoint is listening (OPTIONS answered HTTP {status})."
            if role is Role.RESULTS_SINK:
                return f"{where} is listening. Deliveries will be signed POSTs."
            with steps.step("fetch") as note:
                answer = await self._probe_fetch(client, config, secrets, steps)
                note["message"] = f"{config.method} answered with {answer}."
        return f"Connected. {where} returned {answer}."

    async def _ping(
        self, client: httpx.AsyncClient, config: WebhookConfig, secrets: WebhookSecrets
    ) -> int:
        """Send ``OPTIONS``; 2xx or 405 (method not allowed, but someone answered) is fine."""
        with translate_http_errors(config.url, timeout=self.context.timeout):
            async with client.stream(
                "OPTIONS", config.url, headers=self._headers(config, secrets)
            ) as response:
                status = response.status_code
                if is_success(status) or status == httpx.codes.METHOD_NOT_ALLOWED:
                    return status
                raise status_error(
                    response, url=config.url, has_auth=secrets.auth_header is not None
                )

    async def _probe_fetch(
        self,
        client: httpx.AsyncClient,
        config: WebhookConfig,
        secrets: WebhookSecrets,
        steps: CheckSteps,
    ) -> str:
        """Request the data with its auth header; describe the answer from its headers.

        The body is not read: a check stays cheap however large the export is.
        """
        with translate_http_errors(config.url, timeout=self.context.timeout):
            async with client.stream(
                config.method, config.url, headers=self._headers(config, secrets)
            ) as response:
                if not is_success(response.status_code):
                    raise status_error(
                        response, url=config.url, has_auth=secrets.auth_header is not None
                    )
                content_type = response.headers.get("content-type")
                declared = response.headers.get("content-length", "")
        size = int(declared) if declared.isdigit() else None
        fmt = choose_format(config, content_type)
        if is_web_page(content_type):
            raise DataFormatError(
                f"{config.display_url} returned a web page, not {fmt.value} data. It may be a "
                "login page or the wrong address.",
                field="url",
            )
        steps.details.update(
            status_code=response.status_code,
            content_type=content_type,
            size_bytes=size,
            format=fmt.value,
        )
        size_text = human_bytes(size) if size is not None else "size not announced"
        return f"{content_type or 'no content type'}, {size_text}"

    # -- discover -------------------------------------------------------------------------

    async def fetch(
        self, config: WebhookConfig, secrets: WebhookSecrets, etag: str | None = None
    ) -> Body:
        """Fetch the body (``If-None-Match: etag`` when given) into a spooled file.

        Used by discovery, reads and pulls (:class:`~connectors.webhook.files.WebhookFiles`).

        Raises:
            ConnectorError: Classified: unreachable, refused, not found, too large, ...
        """
        async with self._client() as client:
            return await download(
                client,
                config,
                self._headers(config, secrets),
                has_auth=secrets.auth_header is not None,
                max_bytes=self.max_body_bytes,
                etag=etag,
            )

    async def _discover(self, config: WebhookConfig, secrets: WebhookSecrets) -> Catalog:
        with await self.fetch(config, secrets) as body:
            fmt = choose_format(config, body.content_type)
            columns, count = await asyncio.to_thread(
                self._describe, body.file, fmt, config.records_path, body.size
            )
        return Catalog(
            streams=(
                Stream(
                    name=stream_name(config.url),
                    columns=columns,
                    size_bytes=body.size,
                    record_estimate=count,
                    file_count=1,
                    description=f"{fmt.value} records from {config.display_url}",
                ),
            )
        )

    def _describe(
        self, file: BinaryIO, fmt: DataFormat, records_path: str | None, size: int
    ) -> tuple[tuple[Column, ...], int | None]:
        """Infer columns from the first rows; count all rows when the body is small."""
        records = read_records(file, fmt, records_path=records_path)
        sample = list(islice(records, self.context.sample_rows))
        columns = infer_columns(sample)
        if len(sample) < self.context.sample_rows:
            return columns, len(sample)
        if size > _COUNT_RECORDS_UP_TO:
            return columns, None
        return columns, len(sample) + sum(1 for _ in records)

    # -- read -----------------------------------------------------------------------------

    async def _read(
        self,
        config: WebhookConfig,
        secrets: WebhookSecrets,
        streams: tuple[str, ...],
        state: dict[str, Any],
    ) -> AsyncIterator[ReadMessage]:
        name = stream_name(config.url)
        unknown = sorted(set(streams) - {name})
        if unknown:
            raise ResourceNotFoundError(
                f"This webhook offers one stream, {name!r}; there is no {unknown[0]!r}.",
                field="streams",
            )
        cursor = WebhookCursor.from_state(state)
        with await self.fetch(config, secrets, etag=cursor.etag) as body:
            if body.not_modified:
                yield StateMessage(state=cursor.to_state())
                return
            fresh = WebhookCursor(etag=body.etag, content_sha256=body.sha256)
            if body.sha256 != cursor.content_sha256:
                file = body.file
                fmt = choose_format(config, body.content_type)
                # aclosing makes the parser thread stop before the file closes.
                records = iterate_in_thread(
                    lambda: read_records(file, fmt, records_path=config.records_path)
                )
                async with aclosing(records) as stream:
                    async for record in stream:
                        yield RecordMessage(stream=name, data=record)
        # Only after every record: a read cut short re-reads the whole body next time.
        yield StateMessage(state=fresh.to_state())

    # -- files (pulls) --------------------------------------------------------------------

    async def _files(
        self,
        config: WebhookConfig,
        secrets: WebhookSecrets,
        connections: int,  # noqa: ARG002 - one body, one connection
    ) -> FileSource:
        return WebhookFiles(functools.partial(self.fetch, config, secrets), config)

    # -- write ----------------------------------------------------------------------------

    async def _write(
        self, config: WebhookConfig, secrets: WebhookSecrets, delivery: Delivery
    ) -> WriteResult:
        signer = WebhookSigner(_require_signing_secret(secrets))
        if not await asyncio.to_thread(delivery.path.is_file):
            raise InvalidConfigError(f"The result file {delivery.path.name} does not exist.")
        async with self._client() as client:
            return await deliver(
                client,
                url=config.url,
                headers=self._headers(config, secrets),
                has_auth=secrets.auth_header is not None,
                signer=signer,
                delivery=delivery,
                policy=self.delivery_policy,
            )


def _require_signing_secret(secrets: WebhookSecrets) -> SecretStr:
    if secrets.signing_secret is None:
        raise InvalidConfigError(
            "A webhook sink needs a signing secret (whsec_…) so the receiver can verify "
            "that deliveries come from us.",
            field="signing_secret",
        )
    return secrets.signing_secret
