"""Find every secret a message may carry, before anything else happens to it.

Whatever the turn then does (even if it fails), the transcript keeps only the scrubbed
text, and the secrets found are registered so no log line shows them either.
"""

from __future__ import annotations

from agent import parsing
from agent.context import TurnContext
from agent.intent import command_for
from core.redaction import redact, register_secret

__all__ = ["scrub"]


def scrub(ctx: TurnContext, text: str) -> str:
    """``text`` with every secret found in it replaced by ``***REDACTED***``."""
    found: set[str] = set()
    for dsn in parsing.find_dsns(text):
        found |= set(dsn.secrets.values()) | set(dsn.secret_forms)
    fields = ctx.fields()
    command = command_for(ctx, text)
    if command is not None and command.secret and command.value:
        found.add(command.value)  # "change the password to …"
    # "status" or "retry" at a secret prompt is a command, not the secret it was asked for.
    at_secret_prompt = ctx.asking_secret()
    if fields and not (at_secret_prompt and command is not None):
        extraction = parsing.extract_fields(text, fields, asked=ctx.session.asked)
        # The turn reads fields from the same message: keep the parse for it.
        ctx.data["_extraction"] = (text, ctx.session.asked, extraction)
        found |= set(extraction.secret_values.values())
    if at_secret_prompt and command is None and ctx.declined_secret(text) is None:
        # At a secret prompt the whole message is the secret.
        found.add(text.strip())
    found = {value for value in found if value}
    for value in found:
        register_secret(value)
    return redact(text, found)
