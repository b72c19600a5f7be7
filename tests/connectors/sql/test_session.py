"""Stream names: ``schema.table``, quoted where a name holds a dot or a quote."""

from __future__ import annotations

import pytest

from connectors.errors import InvalidConfigError
from connectors.sql.session import TableRef


@pytest.mark.parametrize(
    ("table", "stream"),
    [
        (TableRef("public", "orders"), "public.orders"),
        (TableRef("PUBLIC", "people"), "PUBLIC.people"),
        (TableRef("my.schema", "t"), '"my.schema".t'),
        (TableRef("s", 'odd"name'), 's."odd""name"'),
    ],
    ids=["plain", "mixed-case", "dot-in-schema", "quote-in-table"],
)
def test_stream_names_round_trip(table: TableRef, stream: str) -> None:
    assert table.stream == stream
    assert TableRef.parse(stream) == table


@pytest.mark.parametrize("stream", ["orders", "a.b.c", ".orders", "public."])
def test_a_stream_name_without_schema_and_table_is_refused(stream: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        TableRef.parse(stream)

    assert caught.value.field == "streams"
