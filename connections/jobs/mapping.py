"""A source's column mapping (seed 003's ``default_mapping``) and row validation.

Seed 003 stores the mapping on the source as ``default_mapping.fields``: target field →
source column. We keep exactly that shape and add an optional ``required`` list of target
fields that may not be empty::

    {"fields": {"sku": "Item Code", "name": "Title"}, "required": ["sku"]}

A flat ``{"sku": "Item Code"}`` is read as ``{"fields": {...}}``. With no mapping, a job
passes every column through unchanged (DESIGN §13).

A record is an error row when it lacks a mapped column or a required target is empty;
error rows are counted and the first ones kept (their position, field and reason, never
their values), and every other row goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["MAX_KEPT_ERRORS", "ColumnMapping", "RowMapper"]

MAX_KEPT_ERRORS: Final = 100
_MAX_FIELDS: Final = 1000


class ColumnMapping(BaseModel):
    """Target field → source column, in output order, plus the targets that must be set.

    Attributes:
        fields: Each output column and the source column it is read from.
        required: Targets whose value may not be missing or blank.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    fields: dict[str, str] = Field(default_factory=dict, max_length=_MAX_FIELDS)
    required: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> ColumnMapping:
        for target, column in self.fields.items():
            if not target.strip() or not column.strip():
                raise ValueError("mapped field and column names may not be blank")
        unknown = [name for name in self.required if name not in self.fields]
        if unknown:
            raise ValueError(f"required names fields that are not mapped: {', '.join(unknown)}")
        return self

    @classmethod
    def from_stored(cls, value: Mapping[str, Any] | None) -> ColumnMapping | None:
        """The mapping stored on a source, or None when there is none (pass-through).

        Raises:
            pydantic.ValidationError: The stored value has neither shape.
        """
        if not value:
            return None
        shaped = dict(value) if "fields" in value else {"fields": dict(value)}
        mapping = cls.model_validate(shaped)
        return mapping if mapping.fields else None

    def stored(self) -> dict[str, Any]:
        """The JSON kept on the source (seed 003's shape)."""
        return {"fields": dict(self.fields), "required": list(self.required)}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class RowMapper:
    """Maps and validates records one at a time, counting rows and keeping the first errors.

    Args:
        mapping: The column mapping, or None to pass records through unchanged.
        max_errors: How many error rows are described in :attr:`errors`; all are counted.
    """

    def __init__(self, mapping: ColumnMapping | None, *, max_errors: int = MAX_KEPT_ERRORS) -> None:
        self.mapping = mapping
        self.max_errors = max_errors
        self.records_in = 0
        self.records_out = 0
        self.error_rows = 0
        self.errors: list[dict[str, Any]] = []

    def map(self, records: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """Yield the records that pass, mapped; error rows are recorded and left out."""
        for row, record in enumerate(records, start=1):
            self.records_in += 1
            if self.mapping is None:
                self.records_out += 1
                yield record
                continue
            mapped = self._map_one(row, record, self.mapping)
            if mapped is not None:
                self.records_out += 1
                yield mapped

    def _map_one(
        self, row: int, record: Mapping[str, Any], mapping: ColumnMapping
    ) -> dict[str, Any] | None:
        mapped: dict[str, Any] = {}
        for target, column in mapping.fields.items():
            if column not in record:
                self._error(row, target, f"The row has no column {column!r}.")
                return None
            mapped[target] = record[column]
        for target in mapping.required:
            if _blank(mapped[target]):
                column = mapping.fields[target]
                self._error(row, target, f"{target!r} is required but column {column!r} is empty.")
                return None
        return mapped

    def _error(self, row: int, field: str, message: str) -> None:
        self.error_rows += 1
        if len(self.errors) < self.max_errors:
            self.errors.append({"row": row, "field": field, "message": message})
