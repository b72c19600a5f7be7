"""The terminal face: ``ingestion-agent chat`` over the HTTP session API.

``client`` speaks HTTP, ``events`` follows the session's event stream, ``answers`` reads
what was typed, ``render`` shows the agent, and ``chat`` runs the loop.
"""

from api.terminal.answers import Answer, PromptKind, interpret, prompt_kind
from api.terminal.chat import Conversation, run_chat
from api.terminal.client import ApiError, Identity, ServiceUnreachableError, SessionClient
from api.terminal.events import EventFollower
from api.terminal.options import ChatOptions, add_chat_arguments, default_url, login_name
from api.terminal.render import Renderer

__all__ = [
    "Answer",
    "ApiError",
    "ChatOptions",
    "Conversation",
    "EventFollower",
    "Identity",
    "PromptKind",
    "Renderer",
    "ServiceUnreachableError",
    "SessionClient",
    "add_chat_arguments",
    "default_url",
    "interpret",
    "login_name",
    "prompt_kind",
    "run_chat",
]
