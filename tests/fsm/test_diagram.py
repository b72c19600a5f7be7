"""The diagram is generated from the table, and the committed page is up to date."""

from __future__ import annotations

from pathlib import Path

from fsm import INITIAL, TRANSITIONS, document, mermaid, write_diagram
from fsm.diagram import REGENERATE

DOC = Path(__file__).resolve().parents[2] / "docs" / "fsm.md"


def test_the_committed_docs_page_matches_the_table() -> None:
    committed = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert committed == document(), f"docs/fsm.md is stale; regenerate it with `{REGENERATE}`"


def test_the_diagram_has_one_edge_per_source_of_every_row() -> None:
    lines = mermaid().splitlines()
    assert lines[:2] == ["stateDiagram-v2", f"    [*] --> {INITIAL.value}"]
    edges = lines[2:]
    assert len(edges) == sum(len(row.sources) for row in TRANSITIONS)
    assert len(set(edges)) == len(edges)


def test_guards_are_shown_as_labels() -> None:
    diagram = mermaid()
    assert "test_connection --> discover_schema : TEST_PASSED [source]" in diagram
    assert "test_connection --> configure_sync : TEST_PASSED [sink]" in diagram
    assert "review --> select_streams : EDIT [edit streams, source]" in diagram
    assert "execute --> done : EXECUTED\n" in diagram


def test_the_page_wraps_the_diagram_in_a_mermaid_fence(tmp_path: Path) -> None:
    target = tmp_path / "fsm.md"
    write_diagram(target)
    page = target.read_text(encoding="utf-8")
    assert page == document()
    assert f"```mermaid\n{mermaid()}```\n" in page
    assert REGENERATE in page
