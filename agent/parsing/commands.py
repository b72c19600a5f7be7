"""Commands a person may give in any state: help, back, cancel, status, retry, generate, edit.

A command is the whole message (give or take "please", "ok" and punctuation), so a value
that merely contains a command word is never taken for one: a bucket named "back-ups" is
not "back", and "cancelled-orders" is not "cancel". Edits ("change the port to 5433", "the
region should be eu-west-1", "edit the schedule") name a field or a topic and maybe a value;
an edit of a secret field carries the message with the value redacted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from agent.parsing.protocols import FieldLike
from agent.parsing.text import fold_quotes, is_secret_name, squash, strip_quotes
from agent.parsing.vocabulary import TOPICS, resolve_field_phrase, synonym_target
from core.redaction import redact

__all__ = ["Command", "CommandKind", "parse_command"]


class CommandKind(StrEnum):
    """What a command asks for."""

    HELP = "help"
    BACK = "back"
    CANCEL = "cancel"
    STATUS = "status"
    RETRY = "retry"
    GENERATE = "generate"
    EDIT = "edit"


@dataclass(frozen=True, slots=True)
class Command:
    """A command, possibly an edit of an earlier answer.

    Attributes:
        kind: What the person asks for.
        field: For an edit, a field name (``port``, ``secret_access_key``) or a topic
            (``schedule``, ``streams``, ``name``, ``type``, ``timezone``); ``None`` for
            "change something" and for every other kind.
        value: For an edit, the new value if one was given; never printed in a repr.
        secret: Whether ``field`` is a secret field, so ``value`` belongs in the vault.
        redacted_text: The message with a secret value replaced by ``***REDACTED***``.
    """

    kind: CommandKind
    field: str | None = None
    value: str | None = dataclasses.field(default=None, repr=False)
    secret: bool = False
    redacted_text: str = ""


_SIMPLE: tuple[tuple[re.Pattern[str], CommandKind], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (
            r"help|help me|i need help|\?+|what can i (?:say|do|type)|how does this work|"
            r"commands|what are my options",
            CommandKind.HELP,
        ),
        (
            r"(?:go |take me )?back|previous(?: step| question)?|go to the previous step",
            CommandKind.BACK,
        ),
        (
            r"cancel|start over|start again|restart|never ?mind|nvm|abort|quit|exit|"
            r"cancel (?:this|everything|the setup|setup)|forget it",
            CommandKind.CANCEL,
        ),
        (
            r"status|summary|where are we|where am i|what's left|what is left|recap|progress|"
            r"show (?:me )?(?:the )?(?:summary|status)|what do you have(?: so far)?",
            CommandKind.STATUS,
        ),
        (
            r"retry|try again|test again|re-?test|again|retry (?:the )?(?:test|connection)|"
            r"(?:test|check) (?:the connection )?again|try it again|one more time",
            CommandKind.RETRY,
        ),
        (
            r"generate|generate (?:one|it|a secret|a signing secret|the secret|a key)|"
            r"(?:you )?(?:make|create) one(?: for me)?|you generate (?:it|one)|"
            r"generate (?:one|it) for me",
            CommandKind.GENERATE,
        ),
    )
)
_LEAD = re.compile(
    r"^(?:(?:please|ok|okay|ok so|so|hey|um|uh|well|let's|lets|let us|can we|can you|could you|"
    r"i want to|i'd like to|i would like to)[,\s]+)+"
)
_TAIL = re.compile(r"(?:[,\s]+(?:please|pls|now|thanks|thank you))+$")
_POLITE = re.compile(
    r"(?:(?:please|pls|can you|could you|would you|can we|could we|i'd like to|i would like to|"
    r"i want to|let's|lets)[,\s]+)+",
    re.IGNORECASE,
)
_EDIT_VERB = r"(?:change|set|update|edit|modify|fix|switch|correct|make)"
_REVIEW_VERB = r"(?:change|edit|update|modify|fix|correct)"
_ARTICLE = r"(?:(?:the|my|our|its|that)\s+)?"
_TARGET = r"(?P<target>[a-z][\w .'-]{0,40}?)"
_VALUE = r"(?P<value>\S.*?)"
# (pattern, whether the target may be left open: "change it to weekly", "change something")
_EDITS = tuple(
    (re.compile(pattern, re.IGNORECASE | re.DOTALL), open_target)
    for pattern, open_target in (
        (rf"{_EDIT_VERB}\s+{_ARTICLE}{_TARGET}\s+(?:to|=|as|into)\s+{_VALUE}", True),
        (rf"(?:change|switch)\s+(?:it\s+)?to\s+{_VALUE}", True),
        (rf"actually,?\s+{_ARTICLE}{_TARGET}\s+(?:is|=|:)\s+{_VALUE}", False),
        (
            rf"{_ARTICLE}{_TARGET}\s+(?:should\s+be|must\s+be|needs\s+to\s+be|has\s+to\s+be|"
            rf"is\s+actually)\s+{_VALUE}",
            False,
        ),
        (rf"use\s+{_VALUE}\s+(?:as|for)\s+{_ARTICLE}{_TARGET}", False),
        (rf"{_REVIEW_VERB}\s+{_ARTICLE}{_TARGET}", True),
        (rf"{_REVIEW_VERB}", True),
    )
)
# "call it Sales DB", "name this one orders", "rename it to x": the name the source is saved as.
_NAMING = re.compile(
    r"(?:call|name|rename|title|label)\s+(?:it|this(?:\s+one)?|that|the\s+(?:source|sink|"
    r"connection))\s+(?:to\s+|as\s+)?(?P<value>\S.*?)",
    re.IGNORECASE | re.DOTALL,
)
_NO_TARGET = frozenset({"it", "this", "that", "something", "anything", "things", "stuff", "one"})
_MAX_TARGET_WORDS = 4
# A target never starts with these: "set up", "yes but the schedule should be hourly" (a yes
# with an edit after it, which the step reads as both).
_NOT_A_TARGET = frozenset(
    {"up", "me", "us", "yes", "yeah", "yep", "ok", "okay", "sure", "no", "but"}
)


def _normalize(text: str) -> str:
    low = squash(fold_quotes(text).lower())
    low = _LEAD.sub("", low)
    low = _TAIL.sub("", low)
    return low.rstrip(".!?") or low


def _resolve(target: str, fields: Sequence[FieldLike]) -> str:
    phrase = squash(re.sub(r"[^\w\s-]", " ", target.lower()))
    if fields:
        name = resolve_field_phrase(phrase, fields)
        if name:
            return name
    if phrase in TOPICS:
        return TOPICS[phrase]
    return synonym_target(phrase) or phrase.replace(" ", "_").replace("-", "_")


def _edit(text: str, fields: Sequence[FieldLike]) -> Command | None:
    folded = _TAIL.sub("", fold_quotes(text).strip()).rstrip()
    # "could you rename it to X": the polite lead is cut from both forms alike, since a
    # value is cut from the original at the positions found in the folded text.
    polite = _POLITE.match(folded)
    if polite is not None and polite.end() < len(folded):
        folded, text = folded[polite.end() :], text.strip()[polite.end() :]
    naming = _NAMING.fullmatch(folded)
    if naming is not None:
        named = strip_quotes(naming.group("value").strip()).rstrip(".!")
        return Command(CommandKind.EDIT, "name", named or None, redacted_text=text)
    for pattern, open_target in _EDITS:
        match = pattern.fullmatch(folded)
        if match is None:
            continue
        groups = match.groupdict()
        raw_target = (groups.get("target") or "").strip()
        words = raw_target.lower().split()
        if words and (words[0] in _NOT_A_TARGET or len(words) > _MAX_TARGET_WORDS):
            return None
        target = None if not words or raw_target.lower() in _NO_TARGET else raw_target
        if target is None and not open_target:
            return None
        name = _resolve(target, fields) if target else None
        by_name = {f.name: f for f in fields}
        secret = bool(name) and (
            by_name[name].secret if name in by_name else is_secret_name(name or "")
        )
        value = None
        if match.groupdict().get("value") is not None:
            value = text.strip()[match.start("value") : match.end("value")]
            value = strip_quotes(value) if secret else strip_quotes(value).rstrip(".!")
        if value is None and target and fields:
            split = _field_then_value(text, text.strip()[match.start("target") :], fields)
            if split is not None:
                return split  # "change region eu-west-1"
        redacted = redact(text, [value]) if secret and value else text
        return Command(CommandKind.EDIT, name, value or None, secret, redacted)
    return None


def _field_then_value(text: str, said: str, fields: Sequence[FieldLike]) -> Command | None:
    """An edit whose target runs on into its value: "change region eu-west-1"."""
    words = said.split()
    by_name = {f.name: f for f in fields}
    for size in range(min(3, len(words) - 1), 0, -1):
        name = resolve_field_phrase(" ".join(words[:size]).lower(), fields)
        if name is None or name not in by_name:
            continue
        value = strip_quotes(" ".join(words[size:])).strip()
        if not value:
            return None
        secret = bool(by_name[name].secret)
        redacted = redact(text, [value]) if secret else text
        return Command(CommandKind.EDIT, name, value, secret, redacted)
    return None


def parse_command(text: str, *, fields: Sequence[FieldLike] = ()) -> Command | None:
    """The command ``text`` gives, if it is one.

    Args:
        text: What the person typed.
        fields: The connector's fields, to name the target of an edit precisely
            ("the key id" is ``access_key_id``).

    Returns:
        The command, or ``None`` when the message is not a command (it is probably data).
    """
    low = _normalize(text)
    if not low:
        return None
    for pattern, kind in _SIMPLE:
        if pattern.fullmatch(low):
            return Command(kind, redacted_text=text)
    return _edit(text, fields)
