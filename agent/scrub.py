"""Find every secret a message may carry, before anything else happens to it.

Whatever the turn then does (even if it fails), the transcript keeps only the scrubbed
text, and the secrets found are registered so no log line shows them either.
"""

from __future__ import annotations

from agent import parsing
from agent.context import TurnContext
from agent.intent import command_for
from connectors.redaction import register_secret

__all__ = ["scrub"]


def scrub(ctx: TurnContext, text: str) -> str:
    """``text`` with every secret found in it replaced by ``***REDACTED***``."""
    found: set[str] = set()
    for dsn in parsing.find_dsns(text):
        found |= set(dsn.secrets.values()) | set(dsn.secret_forms)
    fields = ctx.fields()
    # "status" or "back" at a secret prompt is a command, not the secret it was asked for.
    navigating = ctx.asking_secret() and command_for(ctx, text) is not None
    if fields and not navigating:
        extraction = parsing.extract_fields(text, fields, asked=ctx.session.asked)
        # The turn reads fields from the same message: keep the parse for it.
        ctx.data["_extraction"] = (text, ctx.session.asked, extraction)
        found |= set(extraction.secret_values.values())
        command = parsing.parse_command(text, fields=fields)
        if command is not None and command.secret and command.value:
            found.add(command.value)
    if ctx.asking_secret() and not navigating:
        # At a secret prompt the whole message is the secret.
        found.add(text.strip())
    found = {value for value in found if value}
    for value in found:
        register_secret(value)
    return parsing.redact(text, found)
