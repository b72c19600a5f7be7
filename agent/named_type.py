"""The type a message at the type question names, and its fields, before the step runs.

"postgres, host 127.0.0.1, db shop, user app, password ..." names the type and gives fields in
one breath. The message is read (and its secrets scrubbed from the transcript) before the
step chooses the type, so reading it needs the fields of the type it is about to choose: the
same choice the step makes, made here once for both.
"""

from __future__ import annotations

import re

from agent import parsing
from agent.context import TurnContext
from agent.parsing.pasted import find_pasted
from agent.parsing.vocabulary import field_phrases
from connections.schemas import ConnectorTypeOut, FieldOut

__all__ = ["named_fields", "role_for"]

# Words before a type's name that give no value: "hi, we need a", "connect our".
_LEAD_IN = re.compile(r"[^\d=:/@]{0,60}")
_VERSION = re.compile(r"\s*v?\d+(?:\.\d+)*(?![\w.:/-])")


def role_for(ctx: TurnContext, connector: ConnectorTypeOut, role: str | None) -> str:
    """The role to set up: the one asked for if the type serves it, else its first."""
    if role is None:
        role = ctx.session.role if ctx.session.role in connector.roles else None
    if role is None or role not in connector.roles:
        role = "INVENTORY_SOURCE" if "INVENTORY_SOURCE" in connector.roles else "RESULTS_SINK"
    return role


def named_fields(ctx: TurnContext, text: str) -> tuple[list[FieldOut], str]:
    """At the type question, the fields of the type ``text`` names, and the text to read them in.

    The text to read is ``text`` with everything up to the type's name blanked out (same
    length, so values keep their places): in "need s3 bucket acme region eu-west-1" the
    bucket starts a new item, as it would at the start of a message.
    """
    if ctx.session.connector_type is not None:
        return [], text
    match = parsing.match_type(text, ctx.types)
    if match is None:
        return [], text
    role = role_for(ctx, match.connector, match.role.value if match.role else None)
    fields = [f for f in match.connector.fields if role in f.roles]
    return fields, _after_name(text, match.matched, fields, ctx)


def _after_name(text: str, name: str, fields: list[FieldOut], ctx: TurnContext) -> str:
    if parsing.find_dsns(text, ctx.types):
        return text  # a DSN's scheme is the type's name, and part of the DSN
    if find_pasted(text)[0]:
        return text  # "psql -h ...", "AWS Access Key ID [None]: ...": the name is in the block
    words = name.split()
    # "s3 bucket acme": the name's last word may be a field's key; it stays to be read.
    phrases = field_phrases(fields)
    while words and words[-1] in phrases:
        words.pop()
    pattern = r"(?<![a-z0-9])" + r"[^a-z0-9]*".join(map(re.escape, words)) + r"(?![a-z0-9])"
    found = re.search(pattern, text.lower())
    if found is None or not words:
        return text  # a misspelt name: read the whole message
    if not _LEAD_IN.fullmatch(text[: found.start()]):
        return text  # values come before the name: "host db1, db shop, it's postgres"
    # "mariadb 10", "postgresql 16.2": the version is part of the name, not a value.
    end = found.end()
    version = _VERSION.match(text, end)
    if version is not None:
        end = version.end()
    return " " * end + text[end:]
