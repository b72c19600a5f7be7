"""Small, realistic CSV files for the demo bucket: a shop's daily exports.

The files are made here, from a fixed seed, rather than shipped: the same bucket every
run, and nothing binary in the repository. Their names group into three streams when the
S3 connector discovers them: ``orders`` (one file a day), ``customers`` and ``products``.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta

__all__ = ["DEMO_BUCKET", "DEMO_PREFIX", "sample_files"]

DEMO_BUCKET = "demo-shop"
DEMO_PREFIX = "exports/"
_SEED = 7
_DAYS = (date(2026, 5, 24), date(2026, 5, 25))

_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Perlman")
_COUNTRIES = ("DE", "FR", "GB", "NL", "US", "ES", "IT")
_PRODUCTS = (
    ("SKU-1001", "Espresso beans 1 kg", "coffee", "18.50"),
    ("SKU-1002", "Filter coffee 500 g", "coffee", "9.90"),
    ("SKU-2001", "Ceramic mug", "kitchen", "12.00"),
    ("SKU-2002", "Pour-over dripper", "kitchen", "24.00"),
    ("SKU-3001", "Gift card 25", "gifts", "25.00"),
    ("SKU-3002", "Tasting set", "gifts", "39.00"),
)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _customers(rng: random.Random, count: int) -> list[list[str]]:
    rows = []
    for number in range(1, count + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        signed_up = date(2025, 1, 1) + timedelta(days=rng.randrange(480))
        rows.append(
            [
                f"C{number:04d}",
                f"{first} {last}",
                f"{first}.{last}{number}@example.com".lower(),
                rng.choice(_COUNTRIES),
                signed_up.isoformat(),
            ]
        )
    return rows


def _orders(rng: random.Random, day: date, first_id: int, customers: int) -> list[list[str]]:
    rows = []
    for offset in range(rng.randrange(12, 20)):
        sku, _name, _category, price = rng.choice(_PRODUCTS)
        at = datetime.combine(day, time(8)) + timedelta(minutes=rng.randrange(12 * 60))
        rows.append(
            [
                f"O{first_id + offset:06d}",
                f"C{rng.randrange(1, customers + 1):04d}",
                at.isoformat() + "Z",
                sku,
                str(rng.randrange(1, 4)),
                price,
                "EUR",
            ]
        )
    return rows


def sample_files() -> dict[str, bytes]:
    """Object key (under :data:`DEMO_PREFIX`) to CSV content."""
    rng = random.Random(_SEED)
    customers = 24
    files = {
        f"{DEMO_PREFIX}customers.csv": _csv(
            ["customer_id", "name", "email", "country", "signed_up"], _customers(rng, customers)
        ),
        f"{DEMO_PREFIX}products.csv": _csv(
            ["sku", "name", "category", "unit_price"], [list(p) for p in _PRODUCTS]
        ),
    }
    next_id = 1
    for day in _DAYS:
        rows = _orders(rng, day, next_id, customers)
        next_id += len(rows)
        files[f"{DEMO_PREFIX}orders_{day.isoformat()}.csv"] = _csv(
            ["order_id", "customer_id", "ordered_at", "sku", "quantity", "unit_price", "currency"],
            rows,
        )
    return files
