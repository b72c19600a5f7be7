"""The HTTP service: health, connector types and the error envelope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from api.app import create_app
from api.settings import Settings

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def client(aiohttp_client: ClientFactory, tmp_path: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(Settings(data_dir=tmp_path)))


async def test_healthz_answers_ok(client: TestClient[Any, Any]) -> None:
    response = await client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {"status": "ok"}
    assert response.headers["X-Request-Id"].startswith("req_")


async def test_connector_types_list_fields_with_secret_flags(client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/v1/connector-types")

    body = await response.json()
    types = {item["type"]: item for item in body["items"]}
    assert set(types) == {"POSTGRES", "MYSQL", "SNOWFLAKE", "S3", "WEBHOOK"}
    s3_fields = {f["name"]: f for f in types["S3"]["fields"]}
    assert s3_fields["secret_access_key"]["secret"] is True
    assert s3_fields["access_key_id"]["secret"] is False
    assert s3_fields["bucket"]["required"] is True
    assert s3_fields["bucket"]["example"] == "acme-inventory"
    assert s3_fields["format"]["choices"] == ["CSV", "JSON", "NDJSON", "XLSX"]
    assert types["S3"]["roles"] == ["INVENTORY_SOURCE", "RESULTS_SINK"]
    assert "amazon s3" in types["S3"]["aliases"]


async def test_secret_fields_never_carry_an_example(client: TestClient[Any, Any]) -> None:
    body = await (await client.get("/api/v1/connector-types")).json()

    secret_examples = [f["example"] for t in body["items"] for f in t["fields"] if f["secret"]]
    assert secret_examples
    assert all(example is None for example in secret_examples)


async def test_connector_types_filter_by_role(client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/v1/connector-types", params={"role": "results_sink"})

    assert {t["type"] for t in (await response.json())["items"]} == {"S3", "WEBHOOK"}


async def test_bad_role_is_a_400_naming_the_field(client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/v1/connector-types", params={"role": "nope"})

    assert response.status == 400
    assert (await response.json())["error"]["field"] == "role"


async def test_one_connector_type_by_name_any_case(client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/v1/connector-types/s3")

    assert response.status == 200
    assert (await response.json())["label"] == "Amazon S3"


async def test_unknown_route_uses_the_error_envelope(client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/v1/connector-types/ftp")

    assert response.status == 404
    assert (await response.json()) == {
        "error": {"code": "not_found", "message": "No such connector type."}
    }


async def test_unknown_path_is_a_404_envelope(client: TestClient[Any, Any]) -> None:
    response = await client.get("/nope")

    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"
