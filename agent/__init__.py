"""The conversation: what other packages may use of it (DESIGN.md section 8).

:class:`ConversationEngine` takes a message and returns a :class:`Reply`; it reaches the
connection service only through a connection client. :func:`prompt_corpus` is the words
of every prompt template (the session store's compression dictionary).

Errors: :class:`FlowError` is a message the person must rephrase (its text is the answer);
the parsers' errors derive from :class:`ParseError` (:mod:`agent.parsing`). Neither leaves a
turn: the engine answers with their text.

Names are imported on first use, so importing :mod:`agent.parsing` alone stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.engine import ConversationEngine
    from agent.flow import FlowError
    from agent.parsing import ParseError, ScheduleError, SelectionError
    from agent.prompts import corpus as prompt_corpus
    from agent.reply import Reply

_WHERE = {
    "ConversationEngine": ("agent.engine", "ConversationEngine"),
    "FlowError": ("agent.flow", "FlowError"),
    "ParseError": ("agent.parsing", "ParseError"),
    "Reply": ("agent.reply", "Reply"),
    "ScheduleError": ("agent.parsing", "ScheduleError"),
    "SelectionError": ("agent.parsing", "SelectionError"),
    "prompt_corpus": ("agent.prompts", "corpus"),
}

__all__ = [
    "ConversationEngine",
    "FlowError",
    "ParseError",
    "Reply",
    "ScheduleError",
    "SelectionError",
    "prompt_corpus",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'agent' has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0]), where[1])
    globals()[name] = value
    return value
