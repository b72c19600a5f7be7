"""After a failed test the chat asks again only for what the connector type says the failure
points at; the facts come from the connector type the connection service serves."""

from __future__ import annotations

import pytest

from agent.advice import advice_for, fields_to_reask, zero_stream_causes
from connections.schemas import ConnectorTypeOut, FieldOut, spec_out
from connectors.registry import default_registry
from connectors.spec import Role

TYPES = {spec.type: spec_out(spec) for spec in default_registry().specs()}


def _fields(connector: ConnectorTypeOut) -> list[FieldOut]:
    return [f for f in connector.fields if Role.INVENTORY_SOURCE in f.roles]


@pytest.mark.parametrize(
    ("type_", "failure", "reask"),
    [
        pytest.param("POSTGRES", "auth_failed", ["password"], id="auth-the-secret"),
        pytest.param("S3", "auth_failed", ["secret_access_key"], id="s3-auth-the-secret"),
        pytest.param("POSTGRES", "unreachable", ["host", "port"], id="unreachable-host-port"),
        pytest.param("S3", "not_found", ["bucket", "prefix"], id="s3-not-found-bucket"),
        pytest.param("MYSQL", "not_found", ["database"], id="db-not-found-database"),
        pytest.param(
            "S3",
            "permission_denied",
            ["access_key_id", "secret_access_key"],
            id="permission-the-key",
        ),
        pytest.param("WEBHOOK", "endpoint_gone", ["url"], id="gone-the-url"),
        pytest.param("POSTGRES", "server_error", [], id="server-error-nothing"),
    ],
)
def test_the_failure_class_points_at_fields(type_: str, failure: str, reask: list[str]) -> None:
    connector = TYPES[type_]

    assert fields_to_reask(failure, None, _fields(connector), connector) == reask


def test_a_field_the_connector_named_wins() -> None:
    connector = TYPES["S3"]

    assert fields_to_reask("not_found", "config.endpointUrl", _fields(connector), connector) == [
        "endpoint_url"
    ]


def test_the_served_facts_decide_not_the_agent() -> None:
    # A remote connection service may know better; the chat follows what it serves.
    served = TYPES["POSTGRES"].model_copy(update={"reask": {"unreachable": ["port"]}})

    assert fields_to_reask("unreachable", None, _fields(served), served) == ["port"]


def test_without_a_connector_only_a_named_field_is_asked() -> None:
    fields = _fields(TYPES["POSTGRES"])

    assert fields_to_reask("unreachable", None, fields, None) == []
    assert fields_to_reask("unreachable", "port", fields, None) == ["port"]


def test_the_advice_names_the_fields_in_words() -> None:
    connector = TYPES["POSTGRES"]

    advice = advice_for("unreachable", _fields(connector), ["host", "port"])

    assert advice.startswith("Check the host and port")


@pytest.mark.parametrize("type_", sorted(TYPES))
def test_every_type_explains_an_empty_discovery(type_: str) -> None:
    connector = TYPES[type_]

    assert zero_stream_causes(connector) == connector.zero_stream_hints != []
