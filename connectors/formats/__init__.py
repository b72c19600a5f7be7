"""Streaming readers and writers for the file formats sources read and sinks write.

CSV, JSON, NDJSON and XLSX are read record by record with bounded memory and written the
same way; :func:`infer_columns` types a stream's columns from a sample of its records.
Malformed input raises :class:`~connectors.errors.DataFormatError` with a message that
says where the problem is and never quotes the file.
"""

from connectors.formats.dispatch import format_from_name, read_records, write_records
from connectors.formats.inference import infer_columns

__all__ = ["format_from_name", "infer_columns", "read_records", "write_records"]
