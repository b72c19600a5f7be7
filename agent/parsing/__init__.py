"""Understanding what a person types into the setup chat, without I/O and without an LLM.

Each parser reads one kind of answer and is safe to try in any state:

- :func:`match_type`: a connector type by name, alias, typo or number, with a role hint;
- :func:`parse_dsn`: a DSN or URL that fills several fields at once;
- :func:`extract_fields`: field values, several at once or one bare answer, secrets apart
  (also from a block pasted from a terminal or config file; :func:`without_pasted` is the
  rest of such a message);
- :func:`parse_command`: help, back, cancel, status, retry, generate, "change the port to...";
- :func:`parse_yes_no`: yes or no in their common forms; :func:`split_yes_no` keeps what
  follows a yes ("yes, but hourly") and :func:`restates` reads an answer that repeats
  the option asked about;
- :func:`parse_review_edit`: edits at the review in words ("actually make it hourly");
- :func:`parse_question`: a question asked mid-flow, and its topic;
- :func:`says_nothing`: "none", "no password", "skip" where a field may be empty;
  :func:`declines_secret`: "..., no password" among other settings;
- :func:`parse_stream_selection`: "all", "1,3-5", names, globs, "all except logs";
- :func:`parse_schedule` and :func:`describe_cron`: cron lines and schedules in words.

Every result that may hold a secret also carries the message with the secret replaced by
``***REDACTED***``; only that form may be kept in a transcript or a log. Errors derive
from :class:`ParseError` (see :mod:`agent.parsing.errors`).
"""

from __future__ import annotations

from agent.parsing.commands import Command, CommandKind, parse_command
from agent.parsing.connector_type import TypeMatch, detect_role, match_type
from agent.parsing.dsn import DsnMatch, find_dsns, parse_dsn
from agent.parsing.errors import ParseError, ScheduleError, SelectionError
from agent.parsing.fields import Extraction, extract_fields
from agent.parsing.nothing import decline_span, declines_secret, says_nothing
from agent.parsing.pasted import without_pasted
from agent.parsing.protocols import ConnectorTypeLike, FieldLike
from agent.parsing.questions import FIELD_TOPICS, Question, parse_question
from agent.parsing.review_edits import (
    PUSH_WORDS,
    EditKind,
    ReviewEdit,
    parse_retries,
    parse_review_edit,
)
from agent.parsing.schedule import Schedule, describe_cron, parse_schedule
from agent.parsing.streams import Selection, parse_stream_selection
from agent.parsing.timezones import find_timezone
from agent.parsing.yes_no import YesNo, parse_yes_no, restates, split_yes_no

__all__ = [
    "FIELD_TOPICS",
    "PUSH_WORDS",
    "Command",
    "CommandKind",
    "ConnectorTypeLike",
    "DsnMatch",
    "EditKind",
    "Extraction",
    "FieldLike",
    "ParseError",
    "Question",
    "ReviewEdit",
    "Schedule",
    "ScheduleError",
    "Selection",
    "SelectionError",
    "TypeMatch",
    "YesNo",
    "decline_span",
    "declines_secret",
    "describe_cron",
    "detect_role",
    "extract_fields",
    "find_dsns",
    "find_timezone",
    "match_type",
    "parse_command",
    "parse_dsn",
    "parse_question",
    "parse_retries",
    "parse_review_edit",
    "parse_schedule",
    "parse_stream_selection",
    "parse_yes_no",
    "restates",
    "says_nothing",
    "split_yes_no",
    "without_pasted",
]
