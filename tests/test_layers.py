"""Imports run one way (docs/architecture.md): every package module imports, and none
reaches a layer it may not.

The rules are read from the source with ``ast``: ``import x`` and ``from x import y``
anywhere in a module count, inside functions and ``if TYPE_CHECKING:`` blocks too.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = frozenset(
    {"agent", "api", "connections", "connectors", "core", "fsm", "migrations", "sessions"}
    | {"prompts", "tests", "benchmarks"}
)
# What each package may import of ours besides itself. ``api`` is the composition root.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "fsm": frozenset(),
    "sessions": frozenset({"core"}),
    "connectors": frozenset({"core"}),
    "connections": frozenset({"core", "connectors"}),
    "agent": frozenset({"core", "fsm", "sessions", "connections"}),
    "api": OURS - {"tests", "benchmarks"},
}
MODULES = sorted(path for package in ALLOWED for path in (ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(path: Path) -> set[str]:
    """Every module name ``path`` imports, relative imports resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            names.add(".".join([*base, node.module or ""]).strip("."))
    return names


def foreign(path: Path) -> set[str]:
    """The imports of ours that ``path``'s package may not make."""
    package = module_name(path).split(".")[0]
    allowed = ALLOWED[package] | {package}
    return {
        name
        for name in imported(path)
        if name.split(".")[0] in OURS and name.split(".")[0] not in allowed
    }


@pytest.mark.parametrize(
    "path",
    # A __main__ module runs a command when imported; its imports are still checked below.
    [p for p in MODULES if p.name != "__main__.py"],
    ids=module_name,
)
def test_every_module_imports(path: Path) -> None:
    importlib.import_module(module_name(path))


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_a_module_imports_only_the_layers_below_it(path: Path) -> None:
    assert foreign(path) == set()


@pytest.mark.parametrize(
    ("package", "source", "expected"),
    [
        pytest.param("agent", "from connectors.spec import Role", {"connectors.spec"}, id="from"),
        pytest.param("agent", "import connectors.errors", {"connectors.errors"}, id="import"),
        pytest.param(
            "agent",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import connectors\n",
            {"connectors"},
            id="type-checking",
        ),
        pytest.param("core", "def f():\n    from fsm import State\n", {"fsm"}, id="in-a-function"),
        pytest.param("connectors", "from connections.ids import new_id", {"connections.ids"}),
        pytest.param("connectors", "from core.ids import new_id", set(), id="core-is-allowed"),
        pytest.param("core", "from . import ids\nfrom .text import forms", set(), id="relative"),
    ],
)
def test_the_check_sees_every_kind_of_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str, source: str, expected: set[str]
) -> None:
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    module = tmp_path / package / "probe.py"
    module.parent.mkdir()
    module.write_text(source)

    assert foreign(module) == expected
