"""A message, read once: its command, the fields it gives, and what the transcript may show.

Every message is scrubbed before anything else happens to it: secrets in DSNs, in
``key=value`` pairs, at a secret prompt, or pasted at the wrong prompt are registered with
the log redaction and replaced by ``***REDACTED***`` in what the transcript keeps. The parse
is kept on the :class:`Message`, so the step that answers reads the same result and nothing
is parsed twice.

Commands are commands everywhere, at a secret prompt too: the faces promise it ("cancel",
"status", "help", "back" and "retry" always work), and a quick-reply button pressed while a
masked field is open must not end up in the vault as the secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from agent import parsing, secret_guard
from agent.context import TurnContext
from agent.named_type import named_fields
from core.redaction import redact, register_secret

__all__ = ["Message", "form_command", "read"]


@dataclass(frozen=True)
class Message:
    """One message as the turn understands it.

    Attributes:
        text: What was typed, stripped (empty for a form).
        form: Structured answers (a masked form, a Slack modal), when sent as fields.
        command: The command the text gives, if any.
        question: The question the text asks instead of answering, if any.
        extraction: The field values the text gives for the open question, when read.
        shown: What the transcript keeps: the text with every secret found redacted.
        secret: Whether the text carried a secret (typed in the open, not in a form).
    """

    text: str = field(repr=False)
    form: Mapping[str, str] | None = field(default=None, repr=False)
    command: parsing.Command | None = None
    question: parsing.Question | None = None
    extraction: parsing.Extraction | None = field(default=None, repr=False)
    shown: str = ""
    secret: bool = False


def read(ctx: TurnContext, text: str, form: Mapping[str, str] | None = None) -> Message:
    """Read a message once: its command, its fields, and its secrets (registered, redacted)."""
    if form is not None:
        return Message(text="", form=form, shown="(form) " + ", ".join(sorted(form)))
    fields, readable = ctx.fields(), text
    if not fields:
        # At the type question, the fields of the type named: "postgres, password ..." too.
        fields, readable = named_fields(ctx, text)
    command = parsing.parse_command(text, fields=fields)
    found: set[str] = set()
    for dsn in parsing.find_dsns(text, ctx.types):
        found |= set(dsn.secrets.values()) | set(dsn.secret_forms)
    if command is not None and command.secret and command.value:
        found.add(command.value)  # "change the password to …"
    # "status" or "retry" at a secret prompt is a command, not the secret it was asked for.
    at_secret_prompt = ctx.asking_secret()
    # Anything shaped like a key is kept out of replies and the transcript, wherever it is typed.
    found |= secret_guard.shaped(text)
    # An edit phrased as a question ("can I change the schedule later?") is a question.
    asks = command is None or command.kind is parsing.CommandKind.EDIT
    question = parsing.parse_question(text, secret_prompt=at_secret_prompt) if asks else None
    if question is not None:
        # A question is answered, never taken as a value (nor as the secret asked for).
        for value in found:
            register_secret(value)
        return Message(text=text, question=question, shown=redact(text, found), secret=bool(found))
    extraction = None
    if fields and not (at_secret_prompt and command is not None):
        extraction = parsing.extract_fields(
            readable, fields, types=ctx.types, asked=ctx.session.asked
        )
        extraction = secret_guard.sift(ctx, extraction)  # a held secret is no setting
        found |= set(extraction.secret_values.values()) | set(extraction.hidden)
        # "bearer token tok_..." is kept as "Bearer tok_...": the typed token is hidden too.
        found |= {v[7:] for v in extraction.secret_values.values() if v.startswith("Bearer ")}
    if at_secret_prompt and command is None and ctx.declined_secret(text) is None:
        found.add(text.strip())  # at a secret prompt the whole message is the secret
    found = {value for value in found if value}
    for value in found:
        register_secret(value)
    return Message(
        text=text,
        command=command,
        extraction=extraction,
        shown=redact(text, found),
        secret=bool(found),
    )


def form_command(form: Mapping[str, object]) -> str | None:
    """The command typed into a masked form instead of the secret it asked for, if any.

    Only a form with one value counts, and only a command without a value of its own: an
    edit typed into a password field is more likely a password than an instruction.
    """
    if len(form) != 1:
        return None
    (value,) = form.values()
    if not isinstance(value, str):
        return None  # the engine's input check says what is wrong with it
    command = parsing.parse_command(value)
    if command is None or command.kind is parsing.CommandKind.EDIT:
        return None
    return value.strip()
