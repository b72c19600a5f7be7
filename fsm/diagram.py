"""Draw the transition table: a Mermaid ``stateDiagram-v2`` and the page ``docs/fsm.md``.

Both are generated from :data:`fsm.table.TRANSITIONS`, so the picture cannot drift from the
machine; a test fails when the committed page differs. Regenerate it with::

    .venv/bin/python -m fsm > docs/fsm.md
"""

from __future__ import annotations

from pathlib import Path

from fsm.facts import Guard
from fsm.states import State
from fsm.table import INITIAL, TRANSITIONS, Transition

__all__ = ["document", "mermaid", "write_diagram"]

REGENERATE = ".venv/bin/python -m fsm > docs/fsm.md"
"""The command that rewrites ``docs/fsm.md``."""


def _label(row: Transition) -> str:
    guards = ", ".join(guard.label for guard in row.guards)
    return f"{row.event.name} [{guards}]" if guards else row.event.name


def mermaid() -> str:
    """Return the state diagram, one edge per (source, row), guards as ``EVENT [guard]``."""
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL.value}"]
    lines.extend(
        f"    {source.value} --> {row.dest.value} : {_label(row)}"
        for row in TRANSITIONS
        for source in row.sources
    )
    return "\n".join(lines) + "\n"


def _sources(row: Transition) -> str:
    missing = [state for state in State if state not in row.sources]
    if len(row.sources) > 3 and len(missing) < len(row.sources):
        return "any state except " + ", ".join(f"`{state.value}`" for state in missing)
    return ", ".join(f"`{state.value}`" for state in row.sources)


def _guards() -> list[Guard]:
    seen: dict[str, Guard] = {}
    for row in TRANSITIONS:
        for guard in row.guards:
            seen.setdefault(guard.label, guard)
    return list(seen.values())


def document() -> str:
    """Return the whole ``docs/fsm.md`` page: intro, diagram, guards and the table."""
    lines = [
        "# The conversation's state machine",
        "",
        "Every chat session moves through these states (seed 002, DESIGN.md section 4). Sinks skip",
        "discovery and stream selection; a failed test returns to `gather_credentials`; `CANCEL`",
        "starts over from any state but `done`; `EDIT` jumps from `review` to the state that owns",
        "the answer. One shared `transitions` machine serves every session (`fsm.fire`). This page",
        "is generated from `fsm/table.py`; do not edit it by hand, regenerate it with",
        f"`{REGENERATE}`.",
        "",
        "```mermaid",
        mermaid().rstrip("\n"),
        "```",
        "",
        "## Guards",
        "",
        "| guard | holds when |",
        "|---|---|",
        *(f"| {guard.label} | {guard.meaning} |" for guard in _guards()),
        "",
        "## Transitions",
        "",
        "Rows sharing an event and a state have mutually exclusive guards.",
        "",
        "| event | from | to | guard |",
        "|---|---|---|---|",
        *(
            f"| `{row.event.name}` | {_sources(row)} | `{row.dest.value}` | "
            f"{', '.join(guard.label for guard in row.guards) or '—'} |"
            for row in TRANSITIONS
        ),
    ]
    return "\n".join(lines) + "\n"


def write_diagram(path: Path) -> None:
    """Write :func:`document` to ``path`` (normally ``docs/fsm.md``)."""
    path.write_text(document(), encoding="utf-8")
