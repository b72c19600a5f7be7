"""The widget's HTTP routes: content types, the Content-Security-Policy, the identity hint, CORS."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from multidict import CIMultiDict
from pydantic import SecretStr, ValidationError

from api.app import create_app
from api.settings import Settings
from api.web import LOCAL_IDENTITY, is_local_development, normalize_origin

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]
EMBEDDER = "https://intranet.example.com"
SESSIONS = "/api/v1/agents/ingestion/sessions"


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> TestClient[Any, Any]:
    monkeypatch.setenv("INGESTION_AGENT_WIDGET_ORIGINS", EMBEDDER)
    return await aiohttp_client(create_app(Settings(data_dir=tmp_path)))


def static(name: str) -> str:
    return resources.files("api.web").joinpath("static", name).read_text(encoding="utf-8")


# -- the page and its assets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/", "text/html"), ("/widget.js", "text/javascript"), ("/widget.css", "text/css")],
    ids=["page", "script", "styles"],
)
async def test_each_file_is_served_with_its_content_type(
    client: TestClient[Any, Any], path: str, content_type: str
) -> None:
    response = await client.get(path)

    assert response.status == 200
    assert response.headers["Content-Type"] == f"{content_type}; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert await response.read() == static(path.strip("/") or "index.html").encode()


@pytest.mark.parametrize("path", ["/", "/widget.js", "/widget.css", "/widget/identity"])
async def test_every_answer_carries_a_policy_that_forbids_inline_script(
    client: TestClient[Any, Any], path: str
) -> None:
    response = await client.get(path)

    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_the_page_has_no_inline_script_style_or_handler() -> None:
    page = static("index.html")

    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts
    assert all(" src=" in tag for tag in scripts)
    bodies = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.DOTALL)
    assert [body.strip() for body in bodies] == [""]  # one script, loaded from a file
    assert not re.search(r"\son\w+\s*=", page)
    assert "<style" not in page
    assert " style=" not in page


def test_the_script_never_builds_html_from_text() -> None:
    script = static("widget.js")

    for construct in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function"):
        assert construct not in script
    assert "document.write" not in script


async def test_an_unchanged_file_is_a_304(client: TestClient[Any, Any]) -> None:
    first = await client.get("/widget.js")

    again = await client.get("/widget.js", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status == 304
    assert first.headers["Cache-Control"] == "no-cache"


async def test_the_openapi_document_lists_the_widget_routes(client: TestClient[Any, Any]) -> None:
    document = await (await client.get("/api/openapi.json")).json()

    assert {"/", "/widget.js", "/widget.css", "/widget/identity"} <= set(document["paths"])
    assert document["paths"]["/widget.js"]["get"]["responses"]["200"]["content"] == {
        "text/javascript": {"schema": {"type": "string"}}
    }


# -- the identity hint ----------------------------------------------------------------------


async def test_a_browser_on_this_machine_without_a_gateway_is_told_the_local_identity(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get("/widget/identity")

    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert await response.json() == {"mode": "local", "headers": LOCAL_IDENTITY}


async def test_the_local_identity_opens_a_session_as_a_data_engineer(
    client: TestClient[Any, Any],
) -> None:
    hint = await (await client.get("/widget/identity")).json()

    response = await client.post(SESSIONS, json={}, headers=hint["headers"])

    assert response.status == 201
    assert (await response.json())["state"] == "select_source_type"


@pytest.mark.parametrize(
    "header",
    [
        {"X-Tenant-Id": "acme", "X-User-ID": "ada", "X-User-Roles": "ROLE_VIEWER"},
        {"X-User-ID": "ada"},
        {"Authorization": "Bearer abc"},
        {"X-Forwarded-For": "203.0.113.9"},
        {"Forwarded": "for=203.0.113.9"},
        {"X-Real-IP": "203.0.113.9"},
        {"Via": "1.1 proxy"},
    ],
    ids=["gateway-identity", "user-only", "bearer", "forwarded-for", "forwarded", "real-ip", "via"],
)
async def test_a_request_through_a_gateway_or_proxy_relies_on_the_gateway(
    client: TestClient[Any, Any], header: dict[str, str]
) -> None:
    response = await client.get("/widget/identity", headers=header)

    assert await response.json() == {"mode": "gateway"}


async def test_a_page_that_names_another_host_gets_no_local_identity(
    client: TestClient[Any, Any],
) -> None:
    # What a DNS-rebinding page sends: its own host name, resolved to 127.0.0.1.
    response = await client.get("/widget/identity", headers={"Host": "rebind.example:8080"})

    assert await response.json() == {"mode": "gateway"}


async def test_in_jwt_mode_the_page_sends_a_token(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, auth_mode="jwt", jwt_key=SecretStr("k" * 64))
    client = await aiohttp_client(create_app(settings))

    response = await client.get("/widget/identity")

    assert await response.json() == {"mode": "token"}


@pytest.mark.parametrize(
    ("remote", "host", "local"),
    [
        ("127.0.0.1", "127.0.0.1:8080", True),
        ("127.0.0.1", "localhost:8080", True),
        ("::1", "[::1]:8080", True),
        ("192.0.2.7", "127.0.0.1:8080", False),
        ("10.1.2.3", "localhost", False),
        (None, "localhost", False),
        ("127.0.0.1", "ingest.example.com", False),
        ("127.0.0.1", "", False),
    ],
    ids=[
        "loopback",
        "localhost",
        "ipv6-loopback",
        "remote-peer",
        "private-peer",
        "no-peer",
        "public-host-name",
        "no-host",
    ],
)
def test_only_a_loopback_peer_with_a_loopback_host_is_local(
    remote: str | None, host: str, local: bool
) -> None:
    assert is_local_development(remote, host, CIMultiDict()) is local


# -- CORS for pages that embed the widget ---------------------------------------------------


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type,x-tenant-id,x-user-id,x-user-roles",
    }


async def test_a_configured_origin_may_call_the_session_api(client: TestClient[Any, Any]) -> None:
    response = await client.options(SESSIONS, headers=preflight(EMBEDDER))

    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == EMBEDDER
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) == {
        "GET",
        "POST",
        "DELETE",
    }
    allowed = {h.lower() for h in response.headers["Access-Control-Allow-Headers"].split(", ")}
    assert {"content-type", "authorization", "x-tenant-id", "x-user-id", "x-user-roles"} == allowed
    assert "Origin" in response.headers["Vary"]


async def test_a_configured_origin_can_read_answers_and_errors(
    client: TestClient[Any, Any],
) -> None:
    ok = await client.post(SESSIONS, json={}, headers={"Origin": EMBEDDER, **LOCAL_IDENTITY})
    refused = await client.post(SESSIONS, json={}, headers={"Origin": EMBEDDER})
    hint = await client.get("/widget/identity", headers={"Origin": EMBEDDER})

    assert (ok.status, refused.status) == (201, 401)
    for response in (ok, refused, hint):
        assert response.headers["Access-Control-Allow-Origin"] == EMBEDDER


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://intranet.example.com", "https://intranet.example.com:8443"],
    ids=["other-site", "other-scheme", "other-port"],
)
async def test_any_other_origin_gets_no_cors_access(
    client: TestClient[Any, Any], origin: str
) -> None:
    answered = await client.options(SESSIONS, headers=preflight(origin))
    posted = await client.post(SESSIONS, json={}, headers={"Origin": origin, **LOCAL_IDENTITY})

    assert answered.status == 405
    for response in (answered, posted):
        assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1/agents", "/api/v1/secrets", "/api/v1/connector-types"])
async def test_the_rest_of_the_api_stays_closed_to_embedding_pages(
    client: TestClient[Any, Any], path: str
) -> None:
    answered = await client.options(path, headers=preflight(EMBEDDER))
    fetched = await client.get(path, headers={"Origin": EMBEDDER, **LOCAL_IDENTITY})

    assert answered.status == 405
    for response in (answered, fetched):
        assert "Access-Control-Allow-Origin" not in response.headers


async def test_without_configured_origins_nothing_is_cross_origin(
    aiohttp_client: ClientFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INGESTION_AGENT_WIDGET_ORIGINS", raising=False)
    client = await aiohttp_client(create_app(Settings(data_dir=tmp_path)))

    response = await client.options(SESSIONS, headers=preflight(EMBEDDER))

    assert "Access-Control-Allow-Origin" not in response.headers


# -- the origins setting --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("https://Intranet.Example.com", "https://intranet.example.com"),
        ("https://intranet.example.com:443/", "https://intranet.example.com"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://[::1]:3000", "http://[::1]:3000"),
    ],
)
def test_origins_are_kept_as_browsers_send_them(given: str, normal: str) -> None:
    assert normalize_origin(given) == normal


@pytest.mark.parametrize(
    "bad",
    [
        "*",
        "https://*.example.com",
        "ftp://example.com",
        "https://example.com/app",
        "example.com",
        "https://user:pw@example.com",
        "https://example.com?x=1",
    ],
)
def test_anything_but_an_exact_origin_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="origin"):
        Settings(widget_origins=f"https://ok.example.com,{bad}")


def test_the_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGESTION_AGENT_WIDGET_ORIGINS", "https://a.example.com, http://b:8000")

    assert Settings().widget_allowed_origins == {"https://a.example.com", "http://b:8000"}
