"""A service that restarts under the chat: without Redis every conversation is lost.

The chat says so and offers a new conversation; a connection that drops while the
service restarts is tried again, a few times only; the event stream of a session the
service no longer knows is given up rather than asked for once a second forever.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from ulid import ULID

from api.terminal import EventFollower, Identity, ServiceUnreachableError, SessionClient
from tests.api.terminal.conftest import Service, Terminal, tenant
from tests.support.ports import free_port

IDENTITY = Identity(tenant="t-restart", user="ada", roles="ROLE_DATA_ENGINEER")


def _chatting(service: Service, terminals: list[Terminal]) -> Terminal:
    terminal = Terminal("--url", service.url, "--tenant", tenant(), "--user", "ada")
    terminals.append(terminal)
    terminal.choose("Amazon S3")
    terminal.expect("Amazon S3 it is.")
    return terminal


def test_after_a_restart_the_chat_says_the_conversation_was_lost_and_starts_anew(
    service: Service, terminals: list[Terminal]
) -> None:
    terminal = _chatting(service, terminals)
    service.stop()
    service.start()

    terminal.type("s3://acme-data/exports/")
    terminal.expect("The service no longer knows this conversation")
    terminal.child.expect_exact("Start a new conversation? [Y/n] ")
    terminal.child.sendline("")
    terminal.expect("Welcome!")
    terminal.choose("Amazon S3")  # the new conversation goes on as usual
    terminal.expect("Amazon S3 it is.")
    terminal.type("quit")

    assert terminal.exit_status() == 0
    assert "Traceback" not in terminal.output


def test_a_dropped_connection_is_tried_again_until_the_service_is_back(
    service: Service, terminals: list[Terminal]
) -> None:
    terminal = _chatting(service, terminals)
    service.stop()

    terminal.type("s3://acme-data/exports/")
    terminal.expect("trying again in")
    service.start()
    terminal.expect("The service no longer knows this conversation")
    terminal.child.expect_exact("Start a new conversation? [Y/n] ")
    terminal.child.sendline("n")

    assert terminal.exit_status() == 0
    assert "bye" in terminal.output
    assert "cannot reach the service" not in terminal.output


def test_the_events_of_a_session_the_service_does_not_know_are_not_asked_for_again(
    service_url: str,
) -> None:
    client = SessionClient(service_url, IDENTITY)
    follower = EventFollower(client, f"ses_{str(ULID()).lower()}")
    try:
        follower.start()
        deadline = time.monotonic() + 5
        while follower.following and time.monotonic() < deadline:
            time.sleep(0.05)

        assert follower.gone
        assert not follower.following
    finally:
        follower.stop()
        client.close()


def test_retries_are_bounded_and_said_before_each_pause() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: the request is never sent
    said: list[tuple[float, str]] = []
    client = SessionClient(
        url, IDENTITY, retry_delays=(0.01, 0.02), on_retry=lambda d, r: said.append((d, r))
    )
    try:
        with pytest.raises(ServiceUnreachableError) as caught:
            client.send("ses_x", message="hello")
        with pytest.raises(ServiceUnreachableError):
            client.start()  # the first start is not tried again
    finally:
        client.close()

    assert [delay for delay, _ in said] == [0.01, 0.02]
    assert not caught.value.maybe_sent


@pytest.fixture
def hangs_up() -> Iterator[tuple[str, list[bytes]]]:
    """A peer that reads each request and closes the connection without an answer."""
    received: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                received.append(conn.recv(65536))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join()
        server.close()


def test_a_turn_that_may_have_arrived_is_not_sent_again(
    hangs_up: tuple[str, list[bytes]],
) -> None:
    url, received = hangs_up
    client = SessionClient(url, IDENTITY, retry_delays=(0.01, 0.02))
    try:
        with pytest.raises(ServiceUnreachableError) as caught:
            client.send("ses_x", message="create it")
        sent_turns = len(received)
        with pytest.raises(ServiceUnreachableError):
            client.view("ses_x")  # reading is safe to repeat: tried three times
    finally:
        client.close()

    assert caught.value.maybe_sent
    assert sent_turns == 1
    assert len(received) == 4
