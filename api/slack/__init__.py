"""The Slack relay: Slack's Events API and interactivity over HTTP, one thread per session.

See ``docs/slack.md`` for setting up the Slack app. :func:`install_slack` adds the routes
when ``INGESTION_AGENT_SLACK_SIGNING_SECRET`` and ``INGESTION_AGENT_SLACK_BOT_TOKEN`` are set.
"""

from api.slack.blocks import FormField, SlackMessage, options_message, reply_message, secret_form
from api.slack.client import SlackApi
from api.slack.dedup import MemorySeen, RedisSeen, SeenSet
from api.slack.events import (
    ButtonClick,
    IncomingMessage,
    SecretSubmission,
    clicks_from,
    message_from,
    plain_text,
    submission_from,
)
from api.slack.identity import SlackPeople
from api.slack.relay import ROTATE_WARNING, SlackRelay
from api.slack.routes import EVENTS_PATH, INTERACTIVITY_PATH, RELAY_KEY, install_slack
from api.slack.threads import MemoryThreads, RedisThreads, ThreadKey, ThreadRecord, ThreadStore
from api.slack.verify import SlackVerifier

__all__ = [
    "EVENTS_PATH",
    "INTERACTIVITY_PATH",
    "RELAY_KEY",
    "ROTATE_WARNING",
    "ButtonClick",
    "FormField",
    "IncomingMessage",
    "MemorySeen",
    "MemoryThreads",
    "RedisSeen",
    "RedisThreads",
    "SecretSubmission",
    "SeenSet",
    "SlackApi",
    "SlackMessage",
    "SlackPeople",
    "SlackRelay",
    "SlackVerifier",
    "ThreadKey",
    "ThreadRecord",
    "ThreadStore",
    "clicks_from",
    "install_slack",
    "message_from",
    "options_message",
    "plain_text",
    "reply_message",
    "secret_form",
    "submission_from",
]
