"""Blocks pasted from a terminal or a config file, which carry several fields at once.

Understood forms, each read line by line (a block may mix them):

- ``export AWS_ACCESS_KEY_ID=...``, ``PGHOST=db``, ``DB_PASSWORD="..."`` (a ``.env`` file,
  shell ``export``/``set``, PowerShell ``$env:X = "..."``), and ``aws_access_key_id = ...``
  (a ``~/.aws/credentials`` section; its ``[default]`` header is ignored);
- an ``aws configure`` session: ``AWS Access Key ID [None]: AKIA...``;
- a ``psql``, ``pg_dump``, ``mysql`` or ``mariadb`` command line: its options (``-h``,
  ``-p``/``-P``, ``-U``/``-u``, ``-d``/``-D``, ``-pSECRET``, ``--password=...``), a libpq
  ``"host=... dbname=..."`` string, and the database named last.

A name is read as a known *prefix* (``PG``, ``MYSQL_``, ``AWS_``...) and a *suffix*
(``HOST``, ``PASSWORD``, ``SECRET_ACCESS_KEY``...) from the tables below, which a person may
extend. A suffix lists candidate fields in order of preference: the first one the connector
has wins. A value whose key names a credential is a secret even when no field takes it (an
``AWS_SESSION_TOKEN``), so it is still kept out of transcripts. URLs inside a block (a
``DATABASE_URL``) are the DSN parser's business: the caller reads them first.
"""

from __future__ import annotations

import bisect
import re
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from agent.parsing.text import is_secret_name

__all__ = ["PastedValue", "find_pasted", "without_pasted"]

# Prefixes of variable names, longest first when matching. ``PG`` has no underscore (PGHOST).
PREFIXES: tuple[str, ...] = (
    "aws_s3_",
    "aws_",
    "s3_",
    "postgresql_",
    "postgres_",
    "pg_",
    "pg",
    "mysql_",
    "mariadb_",
    "db_",
    "database_",
    "sql_",
    "webhook_",
    "hook_",
    "snowflake_",
    "sf_",
    "spring_datasource_",
)
# What the rest of a name means: candidate fields, the first the connector has wins.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "host": ("host",),
    "hostname": ("host",),
    "hostaddr": ("host",),
    "server": ("host",),
    "port": ("port",),
    "tcp_port": ("port",),
    "user": ("username",),
    "username": ("username",),
    "login": ("username",),
    "password": ("password",),
    "pass": ("password",),
    "passwd": ("password",),
    "pwd": ("password",),
    "root_password": ("password",),
    "name": ("database",),
    "db": ("database",),
    "database": ("database",),
    "dbname": ("database",),
    "schema": ("schema",),
    "sslmode": ("sslmode",),
    "ssl_mode": ("sslmode",),
    "access_key_id": ("access_key_id",),
    "access_key": ("access_key_id",),
    "key_id": ("access_key_id",),
    "secret_access_key": ("secret_access_key",),
    "secret_key": ("secret_access_key", "signing_secret"),
    "default_region": ("region",),
    "region": ("region",),
    "endpoint_url": ("endpoint_url", "url"),
    "endpoint_url_s3": ("endpoint_url",),
    "endpoint": ("endpoint_url", "url"),
    "s3_endpoint": ("endpoint_url",),
    "bucket": ("bucket",),
    "bucket_name": ("bucket",),
    "s3_bucket": ("bucket",),
    "prefix": ("prefix",),
    "url": ("url", "endpoint_url"),
    "secret": ("signing_secret", "secret_access_key", "password"),
    "signing_secret": ("signing_secret",),
    "token": ("auth_header",),
    "auth_header": ("auth_header",),
    "account": ("account",),
    "warehouse": ("warehouse",),
    "role": ("role",),
}
# The prompts of ``aws configure`` ("AWS Access Key ID [None]: ..."); ``None``: not a field.
AWS_CONFIGURE: dict[str, tuple[str, ...] | None] = {
    "aws access key id": ("access_key_id",),
    "aws secret access key": ("secret_access_key",),
    "default region name": ("region",),
    "default output format": None,
}
# Command-line options of database clients: option -> candidate fields.
PSQL_OPTIONS: dict[str, tuple[str, ...]] = {
    "-h": ("host",),
    "--host": ("host",),
    "-p": ("port",),
    "--port": ("port",),
    "-U": ("username",),
    "--username": ("username",),
    "-d": ("database",),
    "--dbname": ("database",),
}
MYSQL_OPTIONS: dict[str, tuple[str, ...]] = {
    "-h": ("host",),
    "--host": ("host",),
    "-P": ("port",),
    "--port": ("port",),
    "-u": ("username",),
    "--user": ("username",),
    "-D": ("database",),
    "--database": ("database",),
    "--password": ("password",),
    "-p": ("password",),  # only attached (-pSECRET): a bare -p makes the client prompt
}
CLIENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "psql": PSQL_OPTIONS,
    "pg_dump": PSQL_OPTIONS,
    "pg_dumpall": PSQL_OPTIONS,
    "pgcli": PSQL_OPTIONS,
    "mysql": MYSQL_OPTIONS,
    "mariadb": MYSQL_OPTIONS,
    "mysqldump": MYSQL_OPTIONS,
    "mariadb-dump": MYSQL_OPTIONS,
    "mycli": MYSQL_OPTIONS,
}
# Positional arguments of a client, in order (``psql mydb myuser``, ``mysql shop``).
POSITIONAL: dict[str, tuple[tuple[str, ...], ...]] = {
    "psql": (("database",), ("username",)),
    "pg_dump": (("database",),),
    "pgcli": (("database",), ("username",)),
    "mysql": (("database",),),
    "mariadb": (("database",),),
    "mysqldump": (("database",),),
    "mariadb-dump": (("database",),),
    "mycli": (("database",),),
}
# Keys of a libpq connection string (psql "host=db dbname=shop").
LIBPQ_KEYS: dict[str, tuple[str, ...]] = {
    "host": ("host",),
    "hostaddr": ("host",),
    "port": ("port",),
    "dbname": ("database",),
    "user": ("username",),
    "password": ("password",),
    "sslmode": ("sslmode",),
}
# Password options that, given bare, make the client prompt: they take no word after them.
_PROMPTING = frozenset({"-p", "--password"})

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_VALUE = r"(?:\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|[^\s\"']\S*)"
_ASSIGNMENT = re.compile(
    rf"(?<![\w$.:/-])(?:(?:export|set|setx)\s+|\$env:)?(?P<key>{_NAME})"
    rf"(?:[ \t]*=[ \t]*|:[ \t]+)(?P<value>{_VALUE})",
)
_AWS_PROMPT = re.compile(
    r"^[ \t]*(?P<label>AWS Access Key ID|AWS Secret Access Key|Default region name|"
    r"Default output format)[ \t]*(?:\[[^\]\n]*\])?[ \t]*:[ \t]*(?P<value>[^\s]*)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_COMMAND = re.compile(
    rf"(?<![\w/.-])(?:{'|'.join(map(re.escape, sorted(CLIENTS, key=len, reverse=True)))})"
    r"(?=[ \t])[^\n]*",
)
_LIBPQ_PAIR = re.compile(r"(?P<key>[a-z]+)\s*=\s*(?P<value>'[^']*'|[^\s']+)")


@dataclass(frozen=True, slots=True)
class PastedValue:
    """One value a pasted block sets.

    Attributes:
        key: The name as typed (``PGPASSWORD``, ``-U``), to report one no field takes.
        fields: Candidate field names, the first one the connector has wins; empty when
            the name means nothing known.
        value: The value without its quotes; never printed in a repr.
        secret: Whether the key names a credential, so the value is a secret even when no
            field takes it.
    """

    key: str
    fields: tuple[str, ...]
    value: str = field(repr=False)
    secret: bool = False


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return re.sub(r"\\(.)", r"\1", inner) if value[0] == '"' else inner
    return value


def _meaning(key: str) -> tuple[str, ...]:
    """The candidate fields of a variable name: a known prefix, then a known suffix."""
    low = key.lower()
    for prefix in PREFIXES:
        if low.startswith(prefix) and low[len(prefix) :] in SUFFIXES:
            return SUFFIXES[low[len(prefix) :]]
    return ()


def _prefixed(key: str) -> bool:
    low = key.lower()
    return any(low.startswith(p) and len(low) > len(p) for p in PREFIXES)


def _assignments(text: str) -> Iterator[tuple[PastedValue, tuple[int, int]]]:
    for match in _ASSIGNMENT.finditer(text):
        key = match.group("key")
        fields = _meaning(key)
        secret = is_secret_name(key)
        if not fields and not (secret and _prefixed(key)):
            # "host=db" and "secret_key=..." are the key-value parser's; an AWS_SESSION_TOKEN
            # is a secret no field takes.
            continue
        value = _unquote(match.group("value"))
        yield PastedValue(key, fields, value, secret), match.span()


def _aws_prompts(text: str) -> Iterator[tuple[PastedValue, tuple[int, int]]]:
    for match in _AWS_PROMPT.finditer(text):
        label = " ".join(match.group("label").lower().split())
        fields = AWS_CONFIGURE.get(label)
        value = match.group("value")
        if fields is not None and value:
            yield PastedValue(label, fields, value, is_secret_name(label)), match.span()
        else:
            yield PastedValue(label, (), ""), match.span()  # consumed, sets nothing


def _words(line: str) -> list[str]:
    try:
        return [w for w in shlex.split(line) if w.strip()]
    except ValueError:  # an unclosed quote: read it word by word
        return line.split()


def _command(line: str) -> Iterator[PastedValue]:
    words = _words(line)
    client = words[0]
    if not any(word.startswith("-") or "=" in word for word in words[1:]):
        return  # "mariadb 10", "psql 16": a name and a version, not a command line
    options = CLIENTS[client]
    positional = list(POSITIONAL.get(client, ()))
    index = 1
    while index < len(words):
        word = words[index]
        index += 1
        if word in ("|", "&&", ";", "<", ">"):
            break
        name, eq, attached = word.partition("=") if word.startswith("--") else (word, "", "")
        if not eq and not word.startswith("--") and len(word) > 2 and word[:2] in options:
            name, attached = word[:2], word[2:]
        if name in options:
            if not attached and not eq:
                if ("password" in options[name] and word in _PROMPTING) or index >= len(words):
                    continue
                attached = words[index]
                index += 1
            yield PastedValue(name, options[name], attached, "password" in options[name])
        elif word.startswith("-"):
            continue
        elif "=" in word:
            yield from _libpq(word)
        elif positional:
            yield PastedValue(client, positional.pop(0), word)


def _libpq(conninfo: str) -> Iterator[PastedValue]:
    for match in _LIBPQ_PAIR.finditer(conninfo):
        fields = LIBPQ_KEYS.get(match.group("key").lower())
        if fields is not None:
            value = _unquote(match.group("value"))
            yield PastedValue(match.group("key"), fields, value, "password" in fields)


def _commands(text: str) -> Iterator[tuple[PastedValue, tuple[int, int]]]:
    for match in _COMMAND.finditer(text):
        for value in _command(match.group(0)):
            yield value, match.span()


def find_pasted(text: str) -> tuple[list[PastedValue], list[tuple[int, int]]]:
    """The values a pasted block in ``text`` sets, and the spans it covers.

    Args:
        text: A message (quotes folded to ASCII, URLs already taken may be blanked).

    Returns:
        The values in the order they stand (a later one for the same field wins when the
        caller stores them in order), and the sorted, disjoint spans of the text they came
        from, which the caller blanks before reading the rest of the message.
    """
    found: list[tuple[tuple[int, int], PastedValue]] = []
    spans: list[tuple[int, int]] = []
    for reader in (_aws_prompts, _commands, _assignments):
        # Spans of earlier readers only: one reader's spans never overlap each other.
        claimed = sorted(spans)
        for value, span in reader(text):
            if _inside(span[0], claimed):
                continue  # "password=..." inside a psql line is the psql line's
            found.append((span, value))
            if not spans or spans[-1] != span:
                spans.append(span)
    found.sort(key=lambda item: item[0])
    values = [value for _, value in found if value.fields or value.secret]
    return values, sorted(spans)


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``position`` falls in one of ``spans``, which are sorted and disjoint."""
    index = bisect.bisect_right(spans, (position, sys.maxsize)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def without_pasted(text: str) -> str:
    """``text`` with its pasted blocks blanked: what the person said around them.

    "Default output format" in an ``aws configure`` session is not a wish for a sink.
    """
    pieces, last = [], 0
    for start, end in find_pasted(text)[1]:
        pieces += [text[last:start], " " * (end - start)]
        last = end
    return "".join([*pieces, text[last:]])
