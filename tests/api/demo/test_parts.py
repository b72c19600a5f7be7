"""The demo's parts on their own: the guide, its folder, the receiver's signature check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from api.demo import DemoError, DemoGuide, sample_files, signature_matches
from api.demo.command import console_script
from api.demo.folder import claim_data_dir
from connectors.webhook.config import signing_key
from connectors.webhook.signing import generate_signing_secret


def _guide(*, pull: bool) -> DemoGuide:
    return DemoGuide(
        service_url="http://127.0.0.1:8080",
        web_chat=pull,
        pull_available=pull,
        s3_endpoint="http://127.0.0.1:23456",
        bucket="demo-shop",
        prefix="exports/",
        files=sorted(sample_files()),
        access_key_id="AKIADEMO000000000001",
        secret_access_key="demo-secret",
        webhook_url="http://127.0.0.1:34567/hook",
        signing_secret="whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
        data_dir="/tmp/demo",
    )


def test_the_guide_says_pulling_is_not_there_yet_when_the_route_is_missing() -> None:
    without = _guide(pull=False).text()
    with_pull = _guide(pull=True).text()

    assert "come with the sync engine, which is not in this build yet" in without
    assert "not in this build yet" not in with_pull
    for text in (without, with_pull):
        assert "/api/v1/agents/$AGENT/data-sources/$SOURCE/pull" in text
        assert "ingestion-agent chat --url http://127.0.0.1:8080" in text


def test_the_sample_files_group_into_three_streams() -> None:
    files = sample_files()

    assert sorted(files) == [
        "exports/customers.csv",
        "exports/orders_2026-05-24.csv",
        "exports/orders_2026-05-25.csv",
        "exports/products.csv",
    ]
    assert files == sample_files()  # the same bucket every run
    assert all(body.count(b"\n") > 5 for body in files.values())


def test_the_demo_folder_is_emptied_only_when_the_demo_made_it(tmp_path: Path) -> None:
    with claim_data_dir(tmp_path / "demo") as folder:
        (folder / "service.log").write_text("old run")
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")

    with claim_data_dir(tmp_path / "demo") as again:
        assert not (again / "service.log").exists()
    with pytest.raises(DemoError, match="not a demo folder"), claim_data_dir(foreign):
        pass
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_the_folder_of_a_running_demo_is_left_alone(tmp_path: Path) -> None:
    with claim_data_dir(tmp_path / "demo") as running:
        (running / "s3").mkdir()
        (running / "service.log").write_text("running")

        with pytest.raises(DemoError, match="belongs to a demo that is still running"):  # noqa: SIM117
            with claim_data_dir(tmp_path / "demo"):
                pass

        assert (running / "service.log").read_text() == "running"
        assert (running / "s3").is_dir()

    with claim_data_dir(tmp_path / "demo") as after:  # once it stopped, the next one may
        assert sorted(p.name for p in after.iterdir()) == [".ingestion-agent-demo"]


def _script(folder: Path) -> Path:
    folder.mkdir(parents=True)
    script = folder / "ingestion-agent"
    script.write_text("#!/bin/sh\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_the_chat_command_is_the_running_console_script_relative_to_here(tmp_path: Path) -> None:
    script = _script(tmp_path / ".venv" / "bin")
    python = str(script.with_name("python"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    below = console_script(cwd=tmp_path, argv0=str(script), executable=python, path="/usr/bin")
    beside = console_script(cwd=script.parent, argv0=str(script), executable=python, path="")
    away = console_script(cwd=elsewhere, argv0="api/cli.py", executable=python, path="")
    on_path = console_script(
        cwd=tmp_path, argv0=str(script), executable=python, path=str(script.parent)
    )

    assert below == ".venv/bin/ingestion-agent"
    assert beside == "./ingestion-agent"  # a bare name would be looked up on PATH
    assert away == str(script)
    assert on_path == "ingestion-agent"


def test_the_guide_prints_the_chat_command_it_is_given() -> None:
    guide = _guide(pull=True)
    text = DemoGuide(**{**guide.__dict__, "program": ".venv/bin/ingestion-agent"}).text()

    assert "    .venv/bin/ingestion-agent chat --url http://127.0.0.1:8080\n" in text


def _sign(secret: str, msg_id: str, stamp: int, body: bytes) -> str:
    key = signing_key(SecretStr(secret))
    mac = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def test_the_receiver_accepts_a_fresh_signature_and_refuses_stale_or_wrong_ones() -> None:
    secret = generate_signing_secret()
    key = signing_key(SecretStr(secret))
    body = b"sku,qty\nSKU-1,2\n"
    now = 1_780_000_000
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now)}

    good = {**headers, "webhook-signature": "v0,xyz " + _sign(secret, "msg_1", now, body)}
    other = generate_signing_secret()
    wrong = {**headers, "webhook-signature": _sign(other, "msg_1", now, body)}

    assert signature_matches(key, good, body, now=now + 60)
    assert not signature_matches(key, good, body + b"x", now=now)
    assert not signature_matches(key, good, body, now=now + 301)
    assert not signature_matches(key, wrong, body, now=now)
    assert not signature_matches(key, {"webhook-id": "msg_1"}, body, now=now)
