"""The widget's one setting: which other web origins may embed it."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["WidgetSettings", "normalize_origin"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str) -> str:
    """``scheme://host[:port]`` in the form a browser's ``Origin`` header carries it.

    Raises:
        ValueError: ``value`` is not an http(s) origin (a path, a wildcard, credentials...).
    """
    text = value.strip()
    parts = urlsplit(text)
    if (
        parts.scheme not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or "*" in text
    ):
        raise ValueError(f"not an origin (scheme://host[:port]): {text!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not an origin (bad port): {text!r}") from exc
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    suffix = "" if port is None or port == _DEFAULT_PORTS[parts.scheme] else f":{port}"
    return f"{parts.scheme}://{host}{suffix}"


class WidgetSettings(BaseSettings):
    """Read from ``INGESTION_AGENT_WIDGET_*`` environment variables.

    Attributes:
        origins: Comma-separated web origins (``https://intranet.example.com``) whose pages
            may embed the widget: only they get CORS access to the session API. Empty (the
            default) means the widget works on this service's own page only.
    """

    model_config = SettingsConfigDict(
        env_prefix="INGESTION_AGENT_WIDGET_", frozen=True, extra="ignore"
    )

    origins: str = ""

    @field_validator("origins")
    @classmethod
    def _valid_origins(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip():
                normalize_origin(item)  # raises ValueError naming the bad entry
        return value

    @property
    def allowed_origins(self) -> frozenset[str]:
        """The configured origins, normalized."""
        return frozenset(normalize_origin(o) for o in self.origins.split(",") if o.strip())
