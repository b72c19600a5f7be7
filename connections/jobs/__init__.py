"""Jobs: an inventory upload parsed, mapped and validated into one result file.

See :mod:`connections.jobs.engine` for when jobs start and what they produce, and
:mod:`connections.jobs.mapping` for the column mapping and the error rows.
"""

from connections.jobs.engine import JOB_STATUSES, JobEngine, JobSubmitter, result_format
from connections.jobs.mapping import MAX_KEPT_ERRORS, ColumnMapping, RowMapper
from connections.jobs.transform import Outcome, transform_file

__all__ = [
    "JOB_STATUSES",
    "MAX_KEPT_ERRORS",
    "ColumnMapping",
    "JobEngine",
    "JobSubmitter",
    "Outcome",
    "RowMapper",
    "result_format",
    "transform_file",
]
