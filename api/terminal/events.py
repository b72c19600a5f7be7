"""Follow a session's event stream in a background thread, so no agent message is missed.

The stream is opened right after the session starts, before any background work can
begin, so an outcome that arrives quickly is queued rather than lost. The thread
reconnects after a break, waiting longer after each failure in a row (up to a few
seconds); the chat loop also polls the session as a safety net (the stream belongs to one
service process, and a proxy may buffer it). A session the service no longer knows (404)
ends the following for good: :attr:`EventFollower.gone` tells the chat.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from typing import Any

import httpx

from api.terminal.client import ApiError, ServiceUnreachableError, SessionClient, SessionGoneError

__all__ = ["EventFollower"]

_RECONNECT_FIRST = 0.5
_RECONNECT_MAX = 8.0


class EventFollower:
    """Replies pushed by background work (a connection test, a discovery), in order."""

    def __init__(self, client: SessionClient, session_id: str) -> None:
        """Prepare to follow ``session_id``; :meth:`start` opens the stream."""
        self._client = client
        self._session_id = session_id
        self._replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stopped = threading.Event()
        self._connected = threading.Event()
        self._gone = threading.Event()
        self._pause = _RECONNECT_FIRST
        # A daemon: a stream blocked between keep-alives must never hold up the exit.
        self._thread = threading.Thread(target=self._run, name="session-events", daemon=True)

    def start(self, *, wait: float = 2.0) -> None:
        """Open the stream; wait up to ``wait`` seconds for it to connect (polling covers it)."""
        self._thread.start()
        self._connected.wait(wait)

    def stop(self) -> None:
        """Stop following (the thread ends at its next event or keep-alive)."""
        self._stopped.set()

    @property
    def gone(self) -> bool:
        """Whether the service said it does not know the session (following has ended)."""
        return self._gone.is_set()

    @property
    def following(self) -> bool:
        """Whether the thread still follows (or tries to reconnect to) the stream."""
        return self._thread.is_alive()

    def next_reply(self, timeout: float) -> dict[str, Any] | None:
        """The next pushed reply, or None when none came within ``timeout`` seconds."""
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            return None

    def drain(self) -> None:
        """Forget replies already shown another way (found by polling)."""
        with contextlib.suppress(queue.Empty):
            while True:
                self._replies.get_nowait()

    def _opened(self) -> None:
        self._pause = _RECONNECT_FIRST
        self._connected.set()

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                for event in self._client.events(self._session_id, self._opened):
                    if self._stopped.is_set():
                        return
                    reply = event.get("reply")
                    if event.get("type") == "reply" and isinstance(reply, dict):
                        self._replies.put(reply)
            except SessionGoneError:
                # Asking again would be answered 404 forever: the chat offers a new one.
                self._gone.set()
                self._connected.set()
                return
            except (ServiceUnreachableError, ApiError, httpx.HTTPError):
                pass  # the chat loop polls meanwhile; try the stream again shortly
            except RuntimeError:
                return  # the client was closed under us: the chat is over
            self._connected.set()  # a refused stream is settled too: polling takes over
            self._stopped.wait(self._pause)
            self._pause = min(self._pause * 2, _RECONNECT_MAX)
