"""The real services a corpus conversation talks to, made fresh for one run.

- ``s3``: a SeaweedFS bucket with files under ``daily/`` (streams ``booking`` and ``expedia``)
  and ``exports/`` (stream ``invoices``);
- ``pg``: a PostgreSQL database (trust auth, so any password works) with the tables
  ``public.orders``, ``public.customers``, ``public.line_items``, ``public.logs``,
  ``analytics.fact_sales``, ``analytics.fact_orders``, ``analytics.dim_customer``,
  ``analytics.dim_date``, ``sales.orders``, ``sales.refunds``, ``sales.audit_log``,
  ``sales.audit_trail`` and ``reporting.daily_summary`` (four schemas: the agent asks which);
- ``pg1``: a PostgreSQL database with one schema, ``public``: ``orders``, ``customers``,
  ``line_items``, ``fact_sales``, ``fact_orders``, ``dim_customer``, ``audit_log``;
- ``my``: a MariaDB database with ``orders``, ``customers``, ``line_items``, ``fact_sales``
  and ``audit_log``, and a user with a password that may read it;
- ``hook``: an HTTPS server on loopback that serves JSON records at ``/records`` and takes
  job results at ``/results``, and a signing secret a person may paste.

Every value a message may name is in :attr:`World.values`; :attr:`World.secrets` are the
ones that must never come back in a reply.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field

import boto3
from aiohttp import web

from tests.connectors.sql.databases import (
    temporary_mysql_database,
    temporary_mysql_user,
    temporary_pg_database,
)
from tests.support.https import TestTLS, serve
from tests.support.seaweedfs import SeaweedS3

__all__ = ["World", "open_world"]

PG_TABLES = {
    "public": ("orders", "customers", "line_items", "logs"),
    "analytics": ("fact_sales", "fact_orders", "dim_customer", "dim_date"),
    "sales": ("orders", "refunds", "audit_log", "audit_trail"),
    "reporting": ("daily_summary",),
}
PG1_TABLES = (
    "orders",
    "customers",
    "line_items",
    "fact_sales",
    "fact_orders",
    "dim_customer",
    "audit_log",
)
MY_TABLES = ("orders", "customers", "line_items", "fact_sales", "audit_log")


@dataclass(frozen=True)
class World:
    """The values a conversation may name, and which of them are secrets."""

    values: dict[str, str]
    secrets: frozenset[str] = field(default_factory=frozenset)

    def fill(self, text: str) -> str:
        """``text`` with every ``{name}`` replaced by the world's value."""
        for name, value in self.values.items():
            text = text.replace("{" + name + "}", value)
        return text


def _table(name: str) -> str:
    return f"CREATE TABLE {name} (id bigint PRIMARY KEY, updated_at timestamp NULL, note text)"


@contextmanager
def _databases() -> Iterator[dict[str, str]]:
    with ExitStack() as stack:
        statements = [f"CREATE SCHEMA {s}" for s in PG_TABLES if s != "public"]
        statements += [_table(f"{s}.{t}") for s, tables in PG_TABLES.items() for t in tables]
        pg = stack.enter_context(temporary_pg_database(*statements))
        pg1 = stack.enter_context(temporary_pg_database(*(_table(t) for t in PG1_TABLES)))
        my = stack.enter_context(temporary_mysql_database(*(_table(t) for t in MY_TABLES)))
        my_password = "My-canary-" + uuid.uuid4().hex[:16]
        my_user = stack.enter_context(temporary_mysql_user(my_password, f"SELECT ON `{my}`.*"))
        yield {
            "pg.db": pg,
            "pg1.db": pg1,
            "pg.password": "Pg-canary-" + uuid.uuid4().hex[:16],
            "my.db": my,
            "my.user": my_user,
            "my.password": my_password,
        }


def _bucket(seaweed: SeaweedS3) -> str:
    s3 = boto3.client(
        "s3",
        endpoint_url=seaweed.endpoint_url,
        aws_access_key_id=seaweed.admin.access_key_id,
        aws_secret_access_key=seaweed.admin.secret_access_key,
        region_name="us-east-1",
    )
    name = f"corpus-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    for key, body in {
        "daily/2026-05-24/booking.csv": b"hotel_id,name\n1,Ritz\n",
        "daily/2026-05-25/booking.csv": b"hotel_id,name\n2,Savoy\n",
        "daily/expedia.csv": b"id,price\n1,9.5\n",
        "exports/invoices.csv": b"invoice,total\n7,12.5\n",
    }.items():
        s3.put_object(Bucket=name, Key=key, Body=body)
    return name


async def _records(request: web.Request) -> web.Response:
    return web.json_response([{"id": 1, "status": "new"}, {"id": 2, "status": "paid"}])


async def _results(request: web.Request) -> web.Response:
    return web.Response(status=204)


@asynccontextmanager
async def open_world(seaweed: SeaweedS3, tls: TestTLS) -> AsyncIterator[World]:
    """Fresh buckets, databases and an HTTPS server; all removed on exit."""
    app = web.Application()
    app.router.add_route("*", "/records", _records)
    app.router.add_route("*", "/results", _results)
    with _databases() as databases:
        async with serve(app, tls=tls.server_context) as base:
            values = {
                "s3.bucket": _bucket(seaweed),
                "s3.endpoint": seaweed.endpoint_url,
                "s3.key_id": seaweed.reader.access_key_id,
                "s3.secret": seaweed.reader.secret_access_key,
                # A key that may only write: for S3 as a results sink.
                "s3.writer_key_id": seaweed.writer.access_key_id,
                "s3.writer_secret": seaweed.writer.secret_access_key,
                "hook.base": base,
                "hook.url": f"{base}/records",
                "hook.sink": f"{base}/results",
                "hook.secret": "whsec_" + uuid.uuid4().hex + uuid.uuid4().hex[:8],
                "hook.token": "tok_" + uuid.uuid4().hex,
                **databases,
            }
            secrets = frozenset(
                values[k]
                for k in (
                    "s3.secret",
                    "s3.writer_secret",
                    "pg.password",
                    "my.password",
                    "hook.secret",
                    "hook.token",
                )
            )
            yield World(values=values, secrets=secrets)
