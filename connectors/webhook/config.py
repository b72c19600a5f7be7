"""What a person configures for an HTTPS webhook, and how its URL may be shown.

The config model holds everything that is not secret: the URL, extra headers, the format.
Credentials live in :class:`WebhookSecrets`: ``auth_header`` is sent as the
``Authorization`` header of every request and ``signing_secret`` signs sink deliveries.
Validators refuse the usual ways a credential sneaks into config: userinfo in the URL, a
token in its query string, or a credential-bearing entry among the extra headers.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Literal, Self
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic.config import JsonDict

from connectors.spec import DataFormat, Role
from core.redaction import is_secret_key

__all__ = ["WebhookConfig", "WebhookSecrets", "display_url", "signing_key"]


def _only(role: Role) -> JsonDict:
    """``json_schema_extra`` restricting a field to one role (read by ``fields_of``)."""
    return {"roles": [role.value]}


# RFC 9110 token characters: anything else in a header name is refused by servers anyway.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Header values go out as ASCII; a line break would let a value smuggle in another header.
_HEADER_VALUE = re.compile(r"^[\t\x20-\x7e]*$")
_MAX_HEADERS = 50
_MAX_URL_LENGTH = 2048

# The connector sets these itself; a configured value would corrupt framing or signing.
_RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "connection",
        "te",
        "upgrade",
        "if-none-match",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
)
# Headers that carry credentials although their names do not say so.
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})

_SIGNING_PREFIX = "whsec_"
_MIN_SIGNING_KEY_BYTES = 16


def display_url(url: str) -> str:
    """``url`` without userinfo, query string or fragment: safe for messages and logs.

    Tokens often travel in query strings, so no URL is echoed with one.
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def signing_key(secret: SecretStr) -> bytes:
    """Decode a Standard Webhooks secret (``whsec_`` + base64) into its HMAC key.

    Decoding matches the ``standardwebhooks`` library (prefix optional, padding lenient),
    so receivers using it verify our signatures.

    Raises:
        ValueError: With a message that never contains the secret.
    """
    raw = secret.get_secret_value().strip()
    raw = raw.removeprefix(_SIGNING_PREFIX)
    try:
        key = base64.b64decode(raw + "==", validate=False)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) < _MIN_SIGNING_KEY_BYTES:
        raise ValueError(
            "The signing secret must be whsec_ followed by at least 16 bytes of base64."
        )
    return key


class WebhookConfig(BaseModel):
    """Non-secret settings of an HTTPS webhook source or sink.

    Sources fetch ``url`` with ``method``; sinks always POST their deliveries, so
    ``method`` and ``records_path`` apply to sources only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(
        title="Webhook URL",
        description=(
            "What is the URL? For a source it is fetched on each sync; for a sink, results "
            "are POSTed to it."
        ),
        examples=["https://example.com/exports/products.csv"],
        json_schema_extra={"kind": "url"},
    )
    method: Literal["GET", "POST"] = Field(
        default="GET",
        title="HTTP method",
        description="Which HTTP method fetches the data, GET or POST?",
        examples=["GET"],
        json_schema_extra=_only(Role.INVENTORY_SOURCE),
    )
    format: DataFormat = Field(
        default=DataFormat.JSON,
        title="Format",
        description="Which format is the data in: CSV, JSON, NDJSON or XLSX?",
        examples=["CSV"],
    )
    records_path: str | None = Field(
        default=None,
        title="Records path",
        description=(
            "Where do the records sit in the JSON response, e.g. data.items? Leave it empty "
            "when the response is a list of records."
        ),
        examples=["data.items"],
        json_schema_extra=_only(Role.INVENTORY_SOURCE),
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        title="Extra headers",
        description=(
            "Any extra, non-secret headers to send, such as Accept: text/csv? Credentials "
            "belong in the auth header."
        ),
        examples=["Accept: text/csv"],
    )

    @field_validator("format", "method", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: str) -> str:
        url = url.strip()
        if len(url) > _MAX_URL_LENGTH:
            raise ValueError(f"The URL is longer than {_MAX_URL_LENGTH} characters.")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - property access validates the port
        except ValueError:
            raise ValueError("This is not a valid URL.") from None
        if parts.scheme not in ("https", "http"):
            raise ValueError("The URL must start with https:// (or http://).")
        if not parts.hostname:
            raise ValueError("The URL has no host name.")
        if "@" in parts.netloc:
            raise ValueError(
                "The URL contains a user name or password; put credentials in the auth header."
            )
        flagged = sorted({k for k, _ in parse_qsl(parts.query) if is_secret_key(k)})
        if flagged:
            raise ValueError(
                f"The URL's query string carries a credential ({', '.join(flagged)}); "
                "put it in the auth header instead."
            )
        return url

    @field_validator("headers")
    @classmethod
    def _check_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        if len(headers) > _MAX_HEADERS:
            raise ValueError(f"At most {_MAX_HEADERS} extra headers are allowed.")
        for name, value in headers.items():
            _check_header_name(name)
            lowered = name.lower()
            if lowered in _CREDENTIAL_HEADERS or is_secret_key(name):
                raise ValueError(
                    f"The header {name} would carry a credential in plain config. Credentials "
                    "go in the auth header (sent as Authorization), which is kept in the vault."
                )
            if lowered in _RESERVED_HEADERS:
                raise ValueError(f"The header {name} is set by the connector itself.")
            if not _HEADER_VALUE.fullmatch(value):
                raise ValueError(
                    f"The value of header {name} may hold only printable ASCII characters."
                )
        return headers

    @model_validator(mode="after")
    def _check_records_path(self) -> Self:
        if self.records_path and self.format is not DataFormat.JSON:
            raise ValueError("records_path applies only to the JSON format.")
        return self

    @property
    def display_url(self) -> str:
        """The URL as it may appear in messages and logs."""
        return display_url(self.url)


class WebhookSecrets(BaseModel):
    """Credentials of a webhook, passed separately from config at call time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    auth_header: SecretStr | None = Field(
        default=None,
        title="Auth header",
        description=(
            "What is the full value of the auth header, e.g. Bearer <token>? Leave it empty "
            "if the endpoint needs none."
        ),
        examples=["Bearer 3f9a6c2e81d04b7f"],
    )
    signing_secret: SecretStr | None = Field(
        default=None,
        title="Signing secret",
        description=(
            "What is the Standard Webhooks signing secret (whsec_…) the receiver verifies "
            "deliveries with?"
        ),
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        json_schema_extra=_only(Role.RESULTS_SINK),
    )

    @field_validator("auth_header")
    @classmethod
    def _check_auth_header(cls, value: SecretStr | None) -> SecretStr | None:
        # Pasted values often end in a newline; only the inside has to be a valid header.
        text = value.get_secret_value().strip() if value is not None else ""
        if not text:
            return None
        if not _HEADER_VALUE.fullmatch(text):
            raise ValueError(
                "The auth header may hold only printable ASCII characters (no line breaks "
                "or typographic quotes)."
            )
        return SecretStr(text)

    @field_validator("signing_secret")
    @classmethod
    def _check_signing_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        signing_key(value)
        return value


def _check_header_name(name: str) -> None:
    if not _TOKEN.fullmatch(name):
        raise ValueError("A header name must not contain spaces, colons or quotes.")
