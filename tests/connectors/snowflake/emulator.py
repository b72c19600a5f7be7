"""A Snowflake emulator: fakesnow (DuckDB) behind a stand-in of Snowflake's login service.

No real Snowflake can run here. fakesnow answers the SQL (SHOW commands, information
schema, queries with parameters) the way Snowflake does, but it logs anyone in and opens
no socket. The stand-in in front of it does what Snowflake's login does before a session
exists, with the connector's own exception types and error numbers:

- it opens a TCP connection to the configured host and port, so a closed port fails like
  an unreachable account (``OperationalError`` 250001); :class:`FrontDoor` is the
  listening socket a good config points at;
- it checks the user and password (``DatabaseError`` 390100, "Incorrect username or
  password was specified.").

A database that does not exist is left to fakesnow, which (with
``create_database_on_connect=False``) opens the session without one, as Snowflake does
without ``validate_default_parameters``; the connector's own check catches that.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fakesnow.instance import FakeSnow
from snowflake.connector import errors as sf_errors

__all__ = ["FrontDoor", "SnowflakeEmulator", "snowflake_emulator"]


class FrontDoor:
    """A loopback TCP listener that accepts connections and closes them at once."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="snowflake-front-door")
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                conn, _ = self._sock.accept()
                conn.close()

    def close(self) -> None:
        """Stop accepting and close the socket."""
        self._stop.set()
        self._thread.join()
        self._sock.close()


class SnowflakeEmulator:
    """fakesnow plus the login stand-in; pass :meth:`connect` to the connector.

    Attributes:
        front_door: Where a good config's ``host``/``port`` point.
    """

    def __init__(self, users: Mapping[str, str]) -> None:
        # fakesnow's own use of DuckDB, not ours: DuckDB notes an extra copy of each
        # result. Set here, inside the test's warning context (pytest restores it after).
        warnings.filterwarnings(
            "ignore", message="Arrow output on a DB-API result", category=UserWarning
        )
        self._users = dict(users)
        self._fake = FakeSnow(create_database_on_connect=False, create_schema_on_connect=False)
        self.front_door = FrontDoor()
        self.logins: list[dict[str, Any]] = []

    def connect(self, **kwargs: Any) -> Any:
        """``snowflake.connector.connect`` as the connector calls it."""
        self.logins.append({k: v for k, v in kwargs.items() if k != "password"})
        host, port = kwargs.get("host"), int(kwargs.get("port", 443))
        try:
            socket.create_connection((str(host), port), timeout=kwargs.get("login_timeout")).close()
        except OSError as exc:
            raise sf_errors.OperationalError(
                msg=f"Could not connect to Snowflake backend after 0 attempt(s).Aborting: {host}",
                errno=250001,
                sqlstate="08001",
            ) from exc
        if self._users.get(str(kwargs.get("user"))) != kwargs.get("password"):
            raise sf_errors.DatabaseError(
                msg="Incorrect username or password was specified.",
                errno=390100,
                sqlstate="08004",
            )
        return self._fake.connect(kwargs.get("database"), kwargs.get("schema"))

    def execute(self, *statements: str) -> None:
        """Arrange data: run ``statements`` as an administrator."""
        conn = self._fake.connect()
        try:
            cur = conn.cursor()
            for statement in statements:
                cur.execute(statement)
        finally:
            conn.close()

    def close(self) -> None:
        """Stop the front door and drop the in-memory databases."""
        self.front_door.close()
        self._fake.duck_conn.close()


@contextmanager
def snowflake_emulator(users: Mapping[str, str]) -> Iterator[SnowflakeEmulator]:
    """An emulator for one test; closed afterwards."""
    emulator = SnowflakeEmulator(users)
    try:
        yield emulator
    finally:
        emulator.close()
