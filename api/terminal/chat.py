"""``ingestion-agent chat``: the conversation loop in a terminal.

Read a line (a masked one when the agent asks for a secret), send it, show the reply;
while background work runs (``data.task``), show progress until the agent's next message
arrives on the event stream or, failing that, in the session's ``last_reply``. Ctrl-D or
``quit`` ends the chat and deletes the session with its staged secrets; a service that
cannot be reached is one line on stderr and exit code 1.

A dropped connection is tried again a few times (the client says so as it waits). A
conversation the service no longer knows, say after a restart without Redis, is said to be
lost, and the person may start a new one in the same chat.
"""

from __future__ import annotations

import getpass
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from api.terminal.answers import PromptKind, interpret, prompt_kind, reply_data
from api.terminal.client import (
    ApiError,
    ServiceUnreachableError,
    SessionClient,
    SessionGoneError,
)
from api.terminal.events import EventFollower
from api.terminal.options import ChatOptions
from api.terminal.render import Renderer

__all__ = ["Conversation", "run_chat"]

_QUIT = frozenset({"quit", "exit", ":q"})
_NO = frozenset({"n", "no", *_QUIT})
_TICK = 0.1  # spinner frame and event wait
_POLL_EVERY = 1.0  # safety-net poll of the session while work runs
_INTERRUPTED = 130

LineReader = Callable[[str], str]


def _task(reply: dict[str, Any]) -> dict[str, Any] | None:
    task = reply_data(reply).get("task")
    return task if isinstance(task, dict) else None


def _key(reply: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """What tells two replies apart (one found by polling may also arrive as an event)."""
    options = tuple(str(o) for o in reply.get("options") or [])
    return str(reply.get("state")), str(reply.get("message")), options


def _who(options: ChatOptions) -> str:
    ident = options.identity
    if ident.token:
        return "the bearer token's user"
    return f"user {ident.user} of tenant {ident.tenant} ({ident.roles})"


class Conversation:
    """One session, from the welcome to Ctrl-D."""

    def __init__(
        self,
        client: SessionClient,
        renderer: Renderer,
        *,
        read_line: LineReader = input,
        read_secret: LineReader = getpass.getpass,
    ) -> None:
        """Chat through ``client``, show with ``renderer``, read with the given readers."""
        self._client = client
        self._render = renderer
        self._read_line = read_line
        self._read_secret = read_secret

    def run(self, who: str) -> int:
        """Chat until the person leaves; the exit code.

        Raises:
            ServiceUnreachableError: The service stopped answering.
        """
        self._client.on_retry = self._say_retrying
        first = True
        while True:
            try:
                current = self._client.start(retry=not first)
            except ApiError as exc:
                self._render.error(f"the service refused to start a conversation: {exc.message}")
                return 1
            if first:
                self._render.banner(self._client.base_url, who)
                first = False
            try:
                return self._converse(current)
            except SessionGoneError:
                if not self._start_again():
                    return 0

    def _converse(self, current: dict[str, Any]) -> int:
        session_id = str(current["session_id"])
        follower = EventFollower(self._client, session_id)
        follower.start()
        try:
            self._render.reply(current)
            return self._loop(session_id, follower, current)
        finally:
            follower.stop()
            self._client.end(session_id)

    def _say_retrying(self, delay: float, reason: str) -> None:
        self._render.error(f"the service did not answer ({reason}); trying again in {delay:g} s")

    def _start_again(self) -> bool:
        """Say the conversation was lost; whether the person wants a new one."""
        self._render.error(
            "The service no longer knows this conversation (it may have restarted), "
            "so what you answered so far was lost."
        )
        try:
            typed = self._read_line(self._render.question("Start a new conversation? [Y/n] "))
        except EOFError:
            typed = "n"
        if typed.strip().casefold() in _NO:
            self._render.note("bye")
            return False
        return True

    def _loop(self, session_id: str, follower: EventFollower, current: dict[str, Any]) -> int:
        while True:
            kind = prompt_kind(current)
            reader = self._read_secret if kind is PromptKind.SECRET else self._read_line
            try:
                typed = reader(self._render.prompt(kind))
            except EOFError:
                self._render.note("")
                self._render.note("bye")
                return 0
            if kind is not PromptKind.SECRET and typed.strip().casefold() in _QUIT:
                self._render.note("bye")
                return 0
            answer = interpret(current, typed)
            if answer is None:
                continue
            follower.drain()
            try:
                reply = self._client.send(session_id, message=answer.message, fields=answer.fields)
            except SessionGoneError:
                raise
            except ServiceUnreachableError as exc:
                if not exc.maybe_sent:
                    raise
                # The turn may have been taken: the session says where things stand.
                self._render.error("the connection broke while sending; where things stand:")
                reply = self._last_reply(session_id) or current
            except ApiError as exc:
                if exc.status == 401:
                    self._render.error(f"{exc.message} The conversation cannot go on.")
                    return 1
                self._render.error(exc.message)
                continue
            self._render.reply(reply)
            current = self._follow(session_id, follower, reply)

    def _last_reply(self, session_id: str) -> dict[str, Any] | None:
        last = self._client.view(session_id).get("last_reply")
        return last if isinstance(last, dict) else None

    def _follow(
        self, session_id: str, follower: EventFollower, current: dict[str, Any]
    ) -> dict[str, Any]:
        """Show progress until the work the reply started has reported; the latest reply."""
        shown = {_key(current)}
        next_poll = time.monotonic() + _POLL_EVERY
        while (task := _task(current)) is not None:
            if follower.gone:
                raise SessionGoneError(404, "not_found", "The session is gone.")
            self._render.progress(str(task.get("step") or "working"))
            pushed = follower.next_reply(_TICK)
            if pushed is not None:
                if _key(pushed) not in shown:
                    shown.add(_key(pushed))
                    self._render.reply(pushed)
                    current = pushed
                continue
            if time.monotonic() < next_poll:
                continue
            next_poll = time.monotonic() + _POLL_EVERY
            last = self._client.view(session_id).get("last_reply")
            if isinstance(last, dict) and _task(last) is None and _key(last) not in shown:
                shown.add(_key(last))
                self._render.reply(last)
                current = last
        return current


def run_chat(options: ChatOptions, *, out: TextIO | None = None) -> int:
    """Run ``ingestion-agent chat``; the process exit code."""
    stream = out or sys.stdout
    renderer = Renderer(stream)
    client = SessionClient(options.url, options.identity)
    try:
        return Conversation(client, renderer).run(_who(options))
    except ServiceUnreachableError as exc:
        renderer.clear_progress()
        sys.stderr.write(f"ingestion-agent chat: {exc}\n")
        return 1
    except ApiError as exc:  # reading the session while work ran (say, it expired)
        renderer.error(exc.message)
        return 1
    except KeyboardInterrupt:
        renderer.note("")
        renderer.note("bye")
        return _INTERRUPTED
    finally:
        client.close()
