"""Questions mid-flow and their topics; answers that only look like questions stay answers."""

from __future__ import annotations

import pytest

from agent.parsing import Question, parse_question
from agent.parsing.questions import TOPICS
from agent.prompts import PROMPTS_DIR


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("what is a prefix?", "prefix"),
        ("What's a region", "region"),
        ("whats a region", "region"),
        ("why do you need the secret key?", "why_secret"),
        ("what is a cursor column?", "cursor"),
        ("What happens if I choose manual?", "manual"),
        ("can I change the schedule later?", "change_later"),
        ("is my password stored?", "secret_storage"),
        ("where is my password kept", "secret_storage"),
        ("what does auth header mean", "auth_header"),
        ("which port does postgres use?", "port"),
        ("what format are the files?", "format"),
        ("how often should I sync?", "how_often"),
        ("what is a stream?", "stream"),
        ("what's the difference between all and manual", "all_vs_manual"),
        ("whats a signing secret", "signing_secret"),
        ("what is an access key id?", "key_id"),
        ("so, what does auto push mean?", "push"),
        ("which time zone do you use if I don't say?", "timezone"),
        ("what kinds of sources can you connect?", "types"),
        ("wat is the database name for?", "database"),
        ("the prefix means what?", "prefix"),
        ("will you store my password?", "secret_storage"),
        ("can i add more tables later?", "change_later"),
        ("what's sslmode?", "sslmode"),
        ("what does all mean", "all"),
        ("what is nightly?", "schedule"),
        ("what happens when I say yes", "create"),
        ("what's the name for?", "name"),
        ("what permissions does the user need?", "permissions"),
        ("will it delete anything?", "permissions"),
        ("can i paste a connection string?", "dsn"),
        ("what is the difference between a source and a sink?", "sink"),
        ("do you support snowflake?", "types"),
        ("and where do I find it?", None),
        ("how long will this take?", None),
    ],
)
def test_a_question_and_its_topic(text: str, topic: str | None) -> None:
    question = parse_question(text)

    assert question is not None
    assert question.topic == topic


@pytest.mark.parametrize(
    "text",
    [
        "orders, customers and line_items",
        "bucket acme prefix daily/",
        "https://example.com/records?limit=100&page=1",
        "why?Not-2024!",
        "how about hourly?",
        "what about every 6 hours",
        "can you make it hourly?",
        "could we do twice a day?",
        "do it",
        "yes",
        "manual",
        "eu-west-1?",
        "postgres://u:p@db:5432/app?sslmode=require",
        "host=db port=5432",
        "should be hourly",
        "is acme",
        "when the job finishes",
        "",
    ],
)
def test_an_answer_is_not_a_question(text: str) -> None:
    assert parse_question(text) is None


def test_at_a_secret_prompt_only_a_sentence_is_a_question() -> None:
    assert parse_question("what is?", secret_prompt=True) is None
    assert parse_question("why do you need it", secret_prompt=True) == Question(None, why=True)
    assert parse_question("is my password stored?", secret_prompt=True) is not None
    # Without a mark, a topic or a wh-word, a sentence may be a passphrase.
    assert parse_question("is this thing on", secret_prompt=True) is None
    assert parse_question("correct horse battery staple", secret_prompt=True) is None


@pytest.mark.parametrize("topic", [topic for topic, _ in TOPICS])
def test_every_topic_has_an_answer_template(topic: str) -> None:
    assert (PROMPTS_DIR / "answers" / f"{topic}.j2").is_file()
