"""The parsing package stands alone: pure functions, importing nothing of ours but core."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import agent.parsing

PACKAGE = Path(agent.parsing.__file__).parent
ALLOWED = {"agent.parsing", "core", "rapidfuzz", "croniter"}
MODULES = sorted(PACKAGE.glob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_module_imports_only_the_standard_library_and_allowed_packages(path: Path) -> None:
    foreign = {
        name
        for name in _imports(path)
        if name.split(".")[0] not in sys.stdlib_module_names
        and not any(name == a or name.startswith(a + ".") for a in ALLOWED)
    }

    assert foreign == set()


def test_every_public_name_is_exported() -> None:
    assert sorted(agent.parsing.__all__) == sorted(
        name for name in agent.parsing.__all__ if hasattr(agent.parsing, name)
    )
    for name in (
        "match_type",
        "parse_dsn",
        "extract_fields",
        "parse_command",
        "parse_yes_no",
        "parse_stream_selection",
        "parse_schedule",
        "describe_cron",
        "ParseError",
    ):
        assert name in agent.parsing.__all__


def test_every_error_derives_from_the_root() -> None:
    assert issubclass(agent.parsing.SelectionError, agent.parsing.ParseError)
    assert issubclass(agent.parsing.ScheduleError, agent.parsing.ParseError)
