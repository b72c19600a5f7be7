"""A question asked mid-flow ("what is a prefix?", "is my password stored?") and its topic.

A question is answered and the open question asked again; it is never an answer. What makes
a message a question is a table too: an interrogative start ("what", "why", "can I", "is
my …"), or a question mark after an interrogative word. Messages that only look like
questions are kept as answers: a suggestion ("how about hourly?", "what about orders"), a
request ("can you make it hourly?"), a URL or ``key=value`` text, a single word ("why?Not-2024!"
at a password prompt is a password).

The topic is the first row of :data:`TOPICS` whose patterns all match; rows go from the most
specific (why a secret is needed, where it is kept) to the most general (a field's name).
Each topic has a template ``prompts/answers/<topic>.j2``. A question that names no topic is
about the open question ("where do I find it?" while the key id is asked): see
:data:`FIELD_TOPICS`. Extend the tables to answer more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.parsing.text import fold_quotes, squash

__all__ = ["FIELD_TOPICS", "TOPICS", "Question", "parse_question"]

_CREDENTIAL_NOUNS = r"(?:password|passwd|pwd|secret|key|token|credential|credentials|auth)"
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "secret_storage",
        (
            _CREDENTIAL_NOUNS,
            r"(?:stor|kept|keep|sav|safe|secur|encrypt|vault|who can see|see it|see my|"
            r"log(?:ged|s)?\b|where .* go|shown|visible|plain ?text)",
        ),
    ),
    ("why_secret", (r"\bwhy\b", _CREDENTIAL_NOUNS)),
    (
        "change_later",
        (
            r"\b(?:change|edit|update|modify|switch|adjust|alter|add|remove|drop)\b",
            r"\b(?:later|afterwards|after|future|again|anytime|any time|once)\b",
        ),
    ),
    ("all_vs_manual", (r"\ball\b", r"\bmanual(?:ly)?\b")),
    ("manual", (r"\bmanual(?:ly)?\b|\bno schedule\b|\bon demand\b",)),
    (
        "how_often",
        (r"how often|how frequently|frequenc|which schedule|what schedule|best schedule",),
    ),
    ("cursor", (r"cursor|incremental|new rows|updated_at",)),
    (
        "permissions",
        (
            r"permission|grant|privileg|read.?only|\biam\b|polic(?:y|ies)|delete|modify my|"
            r"write to|change my data|touch my data",
        ),
    ),
    ("dsn", (r"\bdsn\b|connection (?:string|url)|\bjdbc\b|sqlalchemy",)),
    ("timezone", (r"time ?zone|\butc\b|\btz\b",)),
    ("prefix", (r"prefix|folder",)),
    ("region", (r"region",)),
    ("auth_header", (r"auth(?:orization)?[ _-]?header|\bbearer\b|\bauth\b",)),
    ("signing_secret", (r"signing|whsec|signature",)),
    ("secret_key", (r"secret(?: access)? key|\bsecret\b",)),
    ("key_id", (r"key[ _-]?id|access key|\bakia",)),
    ("password", (r"password|passwd|\bpwd\b",)),
    ("endpoint", (r"endpoint|seaweed|minio|\br2\b",)),
    ("port", (r"\bport\b",)),
    ("sslmode", (r"\bssl|\btls\b|encrypt",)),
    ("format", (r"format|\bcsv\b|\bjson\b|ndjson|xlsx|file ?type",)),
    ("schema", (r"schema",)),
    ("stream", (r"stream|table",)),
    ("push", (r"push|deliver",)),
    ("bucket", (r"bucket",)),
    ("url", (r"\burl\b|\blink\b",)),
    ("host", (r"\bhost|server|address",)),
    ("database", (r"database|\bdb\b",)),
    ("username", (r"\buser|login",)),
    ("schedule", (r"schedul|\bcron\b|\bsync|nightly|hourly|daily|weekly|\bevery\b",)),
    ("retry", (r"\bretr(?:y|ies)\b",)),
    (
        "create",
        (
            r"\bcreat|say yes|happens next|what next|what now|after (?:this|that)|"
            r"first (?:pull|sync)",
        ),
    ),
    ("name", (r"\bname\b|\bcalled\b",)),
    ("all", (r"\ball\b",)),
    ("sink", (r"\bsinks?\b|send results|results? (?:to|go)",)),
    ("webhook", (r"webhook",)),
    ("types", (r"connect|support|kinds? of|types? of|sources|what can you",)),
)
"""Topic → patterns that must all match the question (lower case), most specific first."""

FIELD_TOPICS: dict[str, str] = {
    "bucket": "bucket",
    "prefix": "prefix",
    "region": "region",
    "endpoint_url": "endpoint",
    "access_key_id": "key_id",
    "secret_access_key": "secret_key",
    "url": "url",
    "auth_header": "auth_header",
    "signing_secret": "signing_secret",
    "host": "host",
    "port": "port",
    "database": "database",
    "username": "username",
    "password": "password",
    "schemas": "schema",
    "format": "format",
    "timezone": "timezone",
}
"""The topic of the open question (the field asked), for a question that names none."""

_COMPILED = tuple((topic, tuple(re.compile(p) for p in patterns)) for topic, patterns in TOPICS)
_LEAD = (
    r"^(?:(?:so|and|but|ok|okay|um|uh|hmm+|sorry|wait|hey|hi|btw|also|oh|quick question|"
    r"question|one more thing|before that|one question)[,:!.\s]+)*"
)
_CUE = re.compile(
    _LEAD + r"(?:what|wat|wht|whats|what's|why|how|hows|how's|where|wheres|where's|which|who|"
    r"whose|when (?:do|does|did|will|is|are|should|can|would)|"
    r"(?:is|isn't|are|aren't|was|were) (?:it|this|that|these|those|my|our|the|there|a|an|you|"
    r"they|he|she|i)|am i|does|did|do (?:i|you|we|they)|can (?:i|we|it|you explain)|"
    r"could (?:i|we|it)|(?:should|shall) (?:i|we|it|this|the|my|our|that)|"
    r"will (?:it|my|the|this|that|you store|you keep|i)|would (?:it|i)|may i|explain|define|"
    r"tell me|meaning of)\b"
)
# An interrogative word anywhere, for "the prefix is what exactly?" or "prefix means what?".
_ASKS = re.compile(r"\b(?:what|wat|whats|why|how|where|which|who|mean|means|meaning)\b")
# Suggestions and requests: answers phrased as questions.
_NOT_A_QUESTION = re.compile(
    _LEAD + r"(?:(?:how|what)\s+about\b|(?:can|could|would|will)\s+(?:you|u)\s+(?!explain|"
    r"tell|say|describe|clarify|remind|store|keep|save|log|see|remember|need|show)|"
    r"(?:can|could)\s+(?:we|it)\s+(?:do|run|use|make|set|"
    r"sync|pull|go|be|pick|have|get|add|change|switch)|"
    # "can i have the refunds", "could i get orders too": asking for something is choosing it.
    r"(?:can|could|may)\s+(?:i|we)\s+(?:have|get|grab|take|pick|select|choose|go with)\b)"
)
# Wh-words are questions even without a question mark; at a secret prompt, where a
# passphrase may start with "is" or "can", the other cues need a mark or a topic.
_STRONG_CUE = re.compile(_LEAD + r"(?:what|wat|whats|what's|why|how|where|which)\b")
_WHY = re.compile(_LEAD + r"why\b")
_DATA = re.compile(r"://|[=@{}]|^\S+$")
_MIN_WORDS_AT_SECRET_PROMPT = 3
_MAX_WORDS = 40


@dataclass(frozen=True, slots=True)
class Question:
    """A question the person asked.

    Attributes:
        topic: The first topic of :data:`TOPICS` it matches, or ``None`` when it names none.
        why: It asks why ("why do you need it?"): about a secret asked for, that is why the
            secret is needed.
    """

    topic: str | None
    why: bool = False


def parse_question(text: str, *, secret_prompt: bool = False) -> Question | None:
    """The question ``text`` asks, or ``None`` when it is an answer (or a command).

    Args:
        text: What the person typed (commands are read before this).
        secret_prompt: A secret was asked: only a sentence of several words is a question,
            never one token (a password may hold a question mark).
    """
    low = squash(fold_quotes(text).lower())
    if not low or _DATA.search(low) or _NOT_A_QUESTION.match(low):
        return None
    words = low.split()
    if len(words) > _MAX_WORDS or (secret_prompt and len(words) < _MIN_WORDS_AT_SECRET_PROMPT):
        return None  # a pasted block is no question
    asked = _CUE.match(low) is not None or (low.endswith("?") and _ASKS.search(low) is not None)
    if not asked:
        return None
    topic = topic_of(low)
    if secret_prompt and topic is None and not low.endswith("?") and not _STRONG_CUE.match(low):
        return None
    return Question(topic=topic, why=_WHY.match(low) is not None)


def topic_of(text: str) -> str | None:
    """The first topic of :data:`TOPICS` whose patterns all match ``text`` (lower case)."""
    for topic, patterns in _COMPILED:
        if all(p.search(text) for p in patterns):
            return topic
    return None
