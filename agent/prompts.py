"""Every sentence the agent says comes from a Jinja2 template in ``prompts/``.

Templates render with ``StrictUndefined``: a missing variable is an error in tests, not a
blank in front of a person.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.wording import human_list, plural

__all__ = ["PROMPTS_DIR", "corpus", "environment", "render"]

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared template environment."""
    env = Environment(
        loader=FileSystemLoader(PROMPTS_DIR),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - plain chat text; faces escape when they render HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # The templates ship with the code: checking their files' mtimes on every render
        # (Jinja's default) is a stat per sentence for nothing.
        auto_reload=False,
    )
    env.filters["human_list"] = human_list
    env.filters["plural"] = plural
    return env


def render(template: str, /, **context: Any) -> str:
    """Render ``prompts/{template}.j2`` and tidy its whitespace."""
    text = environment().get_template(f"{template}.j2").render(**context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(lines)


@lru_cache(maxsize=1)
def corpus() -> bytes:
    """The templates' text, the words the agent says, for a compressor to expect.

    A session's transcript is mostly these sentences: as a preset dictionary they let the
    memory store keep each session in about a quarter less memory (docs/performance.md).
    """
    return b"\n".join(path.read_bytes() for path in sorted(PROMPTS_DIR.glob("*.j2")))
