"""Every template the agent names exists: a missing one fails only on the rare path it is on."""

from __future__ import annotations

import re
from pathlib import Path

from agent.prompts import PROMPTS_DIR

AGENT = Path(__file__).parents[2] / "agent"
NAMED = re.compile(r"""\brender\(\s*["']([\w/]+)["']""")


def test_every_template_rendered_by_name_exists() -> None:
    named = {
        name for path in AGENT.rglob("*.py") for name in NAMED.findall(path.read_text("utf-8"))
    }

    assert named
    assert sorted(n for n in named if not (PROMPTS_DIR / f"{n}.j2").is_file()) == []
