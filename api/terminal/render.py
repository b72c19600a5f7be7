"""How the terminal chat shows the agent: messages, numbered quick replies, progress.

Only what the service sends is shown, and the service never sends a secret back, with one
designed exception: a secret the product generated (``data.reveal_once``), shown once in a
box. Colour is used only on a terminal, and never when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import os
from typing import Any, TextIO

from api.terminal.answers import PromptKind, numbered_options, prompt_kind, reply_data

__all__ = ["Renderer"]

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_INDENT = "  "


class Renderer:
    """Writes the conversation to one stream (the terminal)."""

    def __init__(self, out: TextIO, *, color: bool | None = None) -> None:
        """Write to ``out``; colour defaults to on for a terminal without ``NO_COLOR``."""
        self._out = out
        self._tty = out.isatty()
        self._color = (self._tty and "NO_COLOR" not in os.environ) if color is None else color
        self._frame = 0
        self._progress: str | None = None

    # -- styling ------------------------------------------------------------------------------

    def _style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self._color and text else text

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()

    # -- what the agent says ------------------------------------------------------------------

    def reply(self, reply: dict[str, Any]) -> None:
        """The agent's message, a generated secret once, and the ways to answer."""
        self.clear_progress()
        message = str(reply.get("message") or "")
        lines = [_INDENT + line if line else "" for line in message.splitlines()]
        self._write(f"\n{self._style('agent', '1;36')}\n" + "\n".join(lines) + "\n")
        reveal = reply_data(reply).get("reveal_once")
        if isinstance(reveal, str) and reveal:
            self._reveal(reveal)
        options = numbered_options(reply)
        if options:
            choices = "   ".join(
                f"{self._style(str(n), '1')}) {o}" for n, o in enumerate(options, 1)
            )
            self._write(f"{_INDENT}{choices}\n")
            self._write(f"{_INDENT}{self._style('(type a number or your own answer)', '2')}\n")
        kind = prompt_kind(reply)
        if kind is PromptKind.MULTI_CHOICE:
            hint = '(type "all", numbers like 1,3-5, names or patterns)'
            self._write(f"{_INDENT}{self._style(hint, '2')}\n")

    def _reveal(self, secret: str) -> None:
        title = " shown once, copy it now "
        width = max(len(title), len(secret) + 2)
        self._write(
            f"{_INDENT}┌{title.ljust(width, '─')}┐\n"
            f"{_INDENT}│ {self._style(secret.ljust(width - 1), '1;33')}│\n"
            f"{_INDENT}└{'─' * width}┘\n"
        )

    # -- notes, errors, prompts ---------------------------------------------------------------

    def banner(self, url: str, who: str) -> None:
        """What this chat talks to, and how to leave."""
        self._write(
            self._style(f"Chatting with {url} as {who}. Type quit or press Ctrl-D to leave.", "2")
            + "\n"
        )

    def note(self, text: str) -> None:
        """A line from the terminal itself (not the agent)."""
        self.clear_progress()
        self._write(self._style(text, "2") + "\n")

    def error(self, text: str) -> None:
        """A problem the person should see, on one line."""
        self.clear_progress()
        self._write(self._style(f"! {text}", "1;31") + "\n")

    def prompt(self, kind: PromptKind) -> str:
        """The prompt text before the person types (a masked prompt says so)."""
        if kind is PromptKind.SECRET:
            return self._style("you (typing is hidden)> ", "1;35")
        return self._style("you> ", "1;35")

    def question(self, text: str) -> str:
        """A prompt of the terminal itself (not an answer to the agent)."""
        return self._style(text, "1;35")

    # -- work in progress ---------------------------------------------------------------------

    def progress(self, step: str) -> None:
        """Show that ``step`` is running: a spinner on a terminal, else one line per step."""
        if not self._tty:
            if step != self._progress:
                self._write(f"… {step}\n")
            self._progress = step
            return
        self._frame = (self._frame + 1) % len(_SPINNER)
        self._progress = step
        self._write(f"\r{_INDENT}{self._style(_SPINNER[self._frame], '36')} {step}…\x1b[K")

    def clear_progress(self) -> None:
        """Remove the spinner line before anything else is written."""
        if self._progress is not None and self._tty:
            self._out.write("\r\x1b[K")
            self._out.flush()
        self._progress = None
