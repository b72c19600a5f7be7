"""``ingestion-agent chat`` driven in a pseudo-terminal against a real ``serve`` process.

Everything the terminal showed is searched for the secrets typed at the hidden prompt.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.terminal.conftest import HIDDEN_PROMPT, Terminal, tenant
from tests.support.ports import free_port
from tests.support.seaweedfs import SeaweedS3


def _sources(service_url: str, tenant_id: str) -> list[dict[str, Any]]:
    headers = {"X-Tenant-Id": tenant_id, "X-User-ID": "ada", "X-User-Roles": "ROLE_VIEWER"}
    agent = httpx.get(f"{service_url}/api/v1/agents/default", headers=headers).json()
    listing = httpx.get(f"{service_url}/api/v1/agents/{agent['id']}/data-sources", headers=headers)
    items: list[dict[str, Any]] = listing.json()["items"]
    return items


def test_a_whole_conversation_creates_an_s3_source_and_never_shows_the_secret(
    service_url: str, seaweed: SeaweedS3, shop: str, terminals: list[Terminal]
) -> None:
    tenant_id = tenant()
    secret = seaweed.reader.secret_access_key
    terminal = Terminal("--url", service_url, "--tenant", tenant_id, "--user", "ada")
    terminals.append(terminal)
    terminal.choose("Amazon S3")  # a numbered quick reply
    terminal.expect("Amazon S3 it is.")
    terminal.type(
        f"bucket {shop}, prefix exports/, endpoint {seaweed.endpoint_url}, "
        f"key id {seaweed.reader.access_key_id}"
    )
    terminal.type_hidden(secret)
    terminal.expect("I found 2 streams")
    terminal.expect('(type "all", numbers like 1,3-5, names or patterns)')
    terminal.type("1-2")  # a stream selection: numbers go to the agent as typed
    terminal.expect("2 streams selected")
    terminal.choose("Hourly")
    terminal.expect("Here is everything")
    terminal.choose("Create")
    terminal.expect('Done. "')
    terminal.type("quit")

    assert terminal.exit_status() == 0
    sources = _sources(service_url, tenant_id)
    assert [(s["type"], s["scheduleCron"]) for s in sources] == [("S3", "0 * * * *")]
    assert sources[0]["selectedStreams"] == ["customers", "orders"]
    assert f"bucket {shop}" in terminal.output  # what was typed in the open is echoed
    assert secret not in terminal.output
    assert "Traceback" not in terminal.output


def test_a_generated_signing_secret_is_shown_once_and_ctrl_d_leaves(
    service_url: str, hook_url: str, terminals: list[Terminal]
) -> None:
    terminal = Terminal("--url", service_url, "--tenant", tenant(), "--user", "ada")
    terminals.append(terminal)
    terminal.choose("Send results to…")
    terminal.choose("HTTPS webhook")
    terminal.type(hook_url)
    terminal.choose("Generate", after=HIDDEN_PROMPT)  # a number works at the hidden prompt
    terminal.expect("shown once, copy it now")
    terminal.expect("✓")  # the connection test reached the receiver
    terminal.expect("1) Yes")

    terminal.child.expect_exact("you> ")
    terminal.child.sendeof()

    assert terminal.exit_status() == 0
    assert terminal.output.count("whsec_") == 1
    assert "Traceback" not in terminal.output


def test_a_secret_pasted_after_a_failed_test_is_hidden_too(
    service_url: str, seaweed: SeaweedS3, shop: str, terminals: list[Terminal]
) -> None:
    terminal = Terminal("--url", service_url, "--tenant", tenant(), "--user", "ada")
    terminals.append(terminal)
    terminal.type(f"s3://{shop}/exports/")
    terminal.type(f"endpoint {seaweed.endpoint_url}, key id {seaweed.reader.access_key_id}")
    wrong = "not-the-right-secret-000000000000"
    terminal.type_hidden(wrong)
    terminal.expect("✗")
    terminal.type_hidden(seaweed.reader.secret_access_key)
    terminal.expect("I found 2 streams")
    terminal.type("quit")

    assert terminal.exit_status() == 0
    assert wrong not in terminal.output
    assert seaweed.reader.secret_access_key not in terminal.output


def test_a_service_that_is_down_is_one_line_and_exit_code_1(terminals: list[Terminal]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    terminal = Terminal("--url", url)
    terminals.append(terminal)

    status = terminal.exit_status()

    assert status == 1
    lines = [line for line in terminal.output.splitlines() if line.strip()]
    assert lines == [
        f"ingestion-agent chat: cannot reach the service at {url}: nothing answers there "
        "(is `ingestion-agent serve` running?)"
    ]


def test_the_default_address_comes_from_the_service_settings(
    service_url: str, terminals: list[Terminal]
) -> None:
    port = service_url.rsplit(":", 1)[1]
    wildcard = "0.0.0.0"  # noqa: S104 - what serve may bind; the chat must use loopback
    terminal = Terminal(env={"INGESTION_AGENT_HOST": wildcard, "INGESTION_AGENT_PORT": port})
    terminals.append(terminal)

    terminal.expect(f"Chatting with http://127.0.0.1:{port} as user")
    terminal.expect("Welcome!")
    terminal.type("quit")

    assert terminal.exit_status() == 0


def test_ctrl_c_leaves_without_a_traceback(service_url: str, terminals: list[Terminal]) -> None:
    terminal = Terminal("--url", service_url, "--tenant", tenant())
    terminals.append(terminal)
    terminal.expect("you> ")

    terminal.child.sendintr()

    assert terminal.exit_status() == 130
    assert "bye" in terminal.output
    assert "Traceback" not in terminal.output


def test_enter_at_the_password_prompt_means_no_password(
    service_url: str, terminals: list[Terminal]
) -> None:
    terminal = Terminal("--url", service_url, "--tenant", tenant(), "--user", "ada")
    terminals.append(terminal)
    terminal.type("postgres://postgres@127.0.0.1:5432/test")

    terminal.type_hidden("")

    terminal.expect("No password, then.")
    terminal.expect("Connected to PostgreSQL")
    terminal.type("quit")
    assert terminal.exit_status() == 0
