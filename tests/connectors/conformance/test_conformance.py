"""The contract every connector keeps, checked against real peers on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from connectors.base import Delivery
from connectors.results import FailureClass, RecordMessage, StateMessage, StepStatus
from connectors.spec import DataFormat, Role
from core.redaction import is_secret_key
from tests.connectors.conformance.harness import Harness

# Inputs of the wrong shape entirely: check must classify them, not raise.
GARBAGE: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {}),
    ({"bucket": None, "url": None}, {"secret_access_key": 42}),
    ({"bucket": ["a"], "url": {"x": 1}}, {"auth_header": ["a"]}),
    ({"bucket": "x" * 5000, "url": "x" * 5000}, {}),
]


def test_spec_marks_every_secret_field(harness: Harness) -> None:
    spec = harness.connector.spec
    secrets_model = harness.connector.secrets_model

    assert spec.secret_fields, "a connector with credentials declares secret fields"
    for field in spec.fields:
        if is_secret_key(field.name):
            assert field.secret, f"{field.name} looks secret but is not marked secret"
    for name in spec.secret_fields:
        assert name in secrets_model.model_fields, f"{name} must travel apart from config"
        assert secrets_model.model_fields[name].annotation in (SecretStr, SecretStr | None)


def test_spec_fields_have_labels_and_prompts(harness: Harness) -> None:
    for field in harness.connector.spec.fields:
        assert field.label
        assert field.prompt.endswith("?") or field.prompt.endswith(".")


async def test_check_succeeds_with_good_config(harness: Harness) -> None:
    result = await harness.connector.check(harness.config, harness.secrets)

    assert result.ok, result.message
    assert all(step.status is StepStatus.OK for step in result.steps)


async def test_check_classifies_bad_input_and_never_raises(harness: Harness) -> None:
    for bad in harness.bad_inputs:
        result = await harness.connector.check(bad.config, bad.secrets, role=bad.role)

        assert not result.ok, bad.id
        assert result.failure is bad.failure, f"{bad.id}: {result.failure} {result.message}"
        assert any(step.status is StepStatus.FAILED for step in result.steps), bad.id


async def test_check_classifies_garbage_as_invalid_config(harness: Harness) -> None:
    for config, secrets in GARBAGE:
        result = await harness.connector.check(config, secrets)

        assert result.failure is FailureClass.INVALID_CONFIG, (config, result.message)


async def test_no_secret_in_any_check_result(harness: Harness) -> None:
    results = [
        await harness.connector.check(bad.config, bad.secrets, role=bad.role)
        for bad in harness.bad_inputs
    ]
    results.append(await harness.connector.check(harness.config, harness.secrets))
    dumped = json.dumps([r.model_dump(mode="json") for r in results])
    secret_values = [
        str(v.get_secret_value() if isinstance(v, SecretStr) else v)
        for s in [harness.secrets, *(b.secrets for b in harness.bad_inputs)]
        for k, v in s.items()
        if k in harness.connector.spec.secret_fields
    ]

    assert harness.canary not in dumped
    for value in secret_values:
        assert value not in dumped


async def test_discover_returns_the_stream_with_columns(harness: Harness) -> None:
    catalog = await harness.connector.discover(harness.config, harness.secrets)

    stream = catalog.stream(harness.stream)
    assert {c.name for c in stream.columns} == set(harness.records[0])


async def test_read_after_discover_yields_what_the_catalog_promised(harness: Harness) -> None:
    catalog = await harness.connector.discover(harness.config, harness.secrets)
    columns = {c.name for c in catalog.stream(harness.stream).columns}

    messages = [
        m async for m in harness.connector.read(harness.config, harness.secrets, [harness.stream])
    ]

    records = [m for m in messages if isinstance(m, RecordMessage)]
    assert [{k: str(v) for k, v in r.data.items()} for r in records] == harness.records
    assert all(r.stream == harness.stream and set(r.data) <= columns for r in records)
    assert isinstance(messages[-1], StateMessage)


async def test_read_resumed_from_its_last_state_yields_nothing_new(harness: Harness) -> None:
    first = [
        m async for m in harness.connector.read(harness.config, harness.secrets, [harness.stream])
    ]
    state = next(m.state for m in reversed(first) if isinstance(m, StateMessage))

    again = [
        m
        async for m in harness.connector.read(
            harness.config, harness.secrets, [harness.stream], state
        )
    ]

    assert not [m for m in again if isinstance(m, RecordMessage)]


async def test_sink_write_delivers_the_file(harness: Harness, tmp_path: Path) -> None:
    if Role.RESULTS_SINK not in harness.connector.spec.roles:
        assert harness.sink_config is None
        return
    assert harness.sink_config is not None
    assert harness.sink_secrets is not None
    assert harness.delivered is not None
    result_file = tmp_path / "result.json"
    result_file.write_bytes(b'[{"id": 1}]')
    delivery = Delivery(job_id="job_c1", path=result_file, format=DataFormat.JSON, delivery_id="d1")

    check = await harness.connector.check(
        harness.sink_config, harness.sink_secrets, role=Role.RESULTS_SINK
    )
    written = await harness.connector.write(harness.sink_config, harness.sink_secrets, delivery)

    assert check.ok, check.message
    assert written.bytes_written == result_file.stat().st_size
    assert await harness.delivered(written.location) == result_file.read_bytes()
