"""The words people use for fields and topics, beyond the connectors' own names.

Connector types' other names are the types' own ``aliases`` (served by the connection
service), not listed here.

A field synonym lists candidate field names in order of preference; the first one the
connector actually has wins, so "secret" is the secret access key of S3 and the signing
secret of a webhook. A connector's own field names and labels always come first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType

from agent.parsing.protocols import FieldLike
from agent.parsing.text import is_secret_name, squash, to_snake

__all__ = ["TOPICS", "field_phrases", "resolve_field_phrase", "synonym_target"]

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "user": ("username",),
    "username": ("username",),
    "user name": ("username",),
    "login": ("username",),
    "db user": ("username",),
    "database user": ("username",),
    "pass": ("password",),
    "password": ("password",),
    "passwd": ("password",),
    "pwd": ("password",),
    "pw": ("password",),
    "passphrase": ("password",),
    "db password": ("password",),
    "database password": ("password",),
    "db": ("database",),
    "database": ("database",),
    "dbname": ("database",),
    "db name": ("database",),
    "database name": ("database",),
    "host": ("host",),
    "hostname": ("host",),
    "host name": ("host",),
    "server": ("host",),
    "db host": ("host",),
    "database host": ("host",),
    "port": ("port",),
    "db port": ("port",),
    "key id": ("access_key_id",),
    # A bare "key" next to a "secret" is the key id of a key pair; a webhook's is its API key.
    "key": ("access_key_id", "auth_header"),
    "access key": ("access_key_id",),
    "access key id": ("access_key_id",),
    "access id": ("access_key_id",),
    "aws access key id": ("access_key_id",),
    "secret": ("secret_access_key", "signing_secret", "password"),
    "secret key": ("secret_access_key", "signing_secret"),
    "secret access key": ("secret_access_key",),
    "aws secret access key": ("secret_access_key",),
    "endpoint": ("endpoint_url", "url"),
    "endpoint url": ("endpoint_url", "url"),
    "s3 endpoint": ("endpoint_url",),
    "url": ("url", "endpoint_url"),
    "address": ("url", "host"),
    "link": ("url",),
    "webhook url": ("url",),
    "auth": ("auth_header",),
    "auth header": ("auth_header",),
    "authorization": ("auth_header",),
    "authorization header": ("auth_header",),
    "token": ("auth_header", "password"),
    "bearer": ("auth_header",),
    "bearer token": ("auth_header",),
    "api key": ("auth_header",),
    "apikey": ("auth_header",),
    "signing secret": ("signing_secret",),
    "signing key": ("signing_secret",),
    "webhook secret": ("signing_secret",),
    "region": ("region",),
    "aws region": ("region",),
    "bucket": ("bucket",),
    "bucket name": ("bucket",),
    "prefix": ("prefix",),
    "folder": ("prefix",),
    "path": ("prefix",),
    "format": ("format",),
    "file format": ("format",),
    "data format": ("format",),
    "account": ("account",),
    "account name": ("account",),
    "account identifier": ("account",),
    "warehouse": ("warehouse",),
    "wh": ("warehouse",),
    "schema": ("schema",),
    "role": ("role",),
    "method": ("method",),
    "http method": ("method",),
    "headers": ("headers",),
    "header": ("headers",),
    "extra headers": ("headers",),
    "records path": ("records_path",),
    "json path": ("records_path",),
    "ssl mode": ("sslmode",),
    "sslmode": ("sslmode",),
    "ssl": ("sslmode",),
}

# Things a person may want to change that are not connector fields.
TOPICS: dict[str, str] = {
    "schedule": "schedule",
    "sync schedule": "schedule",
    "cron": "schedule",
    "frequency": "schedule",
    "how often": "schedule",
    "timing": "schedule",
    "streams": "streams",
    "stream selection": "streams",
    "selection": "streams",
    "tables": "streams",
    "files": "streams",
    "name": "name",
    "source name": "name",
    "sink name": "name",
    "type": "type",
    "connector": "type",
    "source type": "type",
    "timezone": "timezone",
    "time zone": "timezone",
}


def field_phrases(fields: Sequence[FieldLike]) -> Mapping[str, str]:
    """Every phrase (lower-case, single spaces) that names one of ``fields``.

    A credential-sounding synonym with no candidate among ``fields`` ("password" for S3)
    means the connector's only secret field, when it has exactly one. The table is built
    once per field list and shared (every message of a conversation asks for it): do not
    mutate it.
    """
    return _phrases(tuple((f.name, f.label, bool(f.secret)) for f in fields))


@lru_cache(maxsize=64)
def _phrases(fields: tuple[tuple[str, str, bool], ...]) -> Mapping[str, str]:
    names = {name for name, _, _ in fields}
    secrets = [name for name, _, secret in fields if secret]
    only_secret = secrets[0] if len(secrets) == 1 else None
    phrases: dict[str, str] = {}
    for phrase, candidates in _SYNONYMS.items():
        chosen = next((c for c in candidates if c in names), None)
        if chosen is None and is_secret_name(phrase):
            chosen = only_secret
        if chosen is not None:
            phrases[phrase] = chosen
    for name, label, _ in fields:
        for phrase in (name, name.replace("_", " "), name.replace("_", ""), label):
            phrases[squash(phrase.lower())] = name
    return MappingProxyType(phrases)


def resolve_field_phrase(phrase: str, fields: Sequence[FieldLike]) -> str | None:
    """The field ``phrase`` names (``accessKeyId``, "key id", "Secret access key")."""
    words = squash(to_snake(phrase).replace("_", " "))
    by_phrase = field_phrases(fields)
    return by_phrase.get(words) or by_phrase.get(words.replace(" ", ""))


def synonym_target(phrase: str) -> str | None:
    """The first candidate field of a synonym, for when no field list is at hand."""
    candidates = _SYNONYMS.get(squash(to_snake(phrase).replace("_", " ")))
    return candidates[0] if candidates else None
