"""Which installed modules come only with the dev extras, read from the installed metadata.

The runtime is ``ingestion-agent`` with its dependencies, followed transitively (with the
extras each requirement names); the dev extras are followed the same way. What the dev
closure adds is dev-only, and its top-level import names are what a user's ``pip install``
of the runtime does not have. Import names come from ``top_level.txt`` when a distribution
ships one, else from its file list.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

__all__ = ["DIST_NAME", "closure", "dev_only_modules", "top_level_modules"]

DIST_NAME = "ingestion-agent"


def _requirements(dist: metadata.Distribution, extras: frozenset[str]) -> Iterable[Requirement]:
    for text in dist.requires or []:
        requirement = Requirement(text)
        marker = requirement.marker
        # Without an extra the marker is evaluated as the base install sees it.
        if marker is None or any(marker.evaluate({"extra": e}) for e in extras | {""}):
            yield requirement


def closure(name: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """Canonical names of ``name`` and every installed distribution it pulls in."""
    seen: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = [(name, extras)]
    expanded: set[tuple[str, frozenset[str]]] = set()
    while todo:
        current, wanted = todo.pop()
        key = (canonicalize_name(current), wanted)
        if key in expanded:
            continue
        expanded.add(key)
        try:
            dist = metadata.distribution(current)
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform or Python
        seen.add(key[0])
        todo.extend((r.name, frozenset(r.extras)) for r in _requirements(dist, wanted))
    return seen


def top_level_modules(name: str) -> set[str]:
    """The top-level import names a distribution installs."""
    dist = metadata.distribution(name)
    listed = dist.read_text("top_level.txt")
    if listed:
        return {line.strip() for line in listed.splitlines() if line.strip()}
    names: set[str] = set()
    for path in dist.files or []:
        first = path.parts[0]
        if first in {"..", "__pycache__"} or first.endswith((".dist-info", ".egg-info", ".pth")):
            continue
        if len(path.parts) == 1:
            if first.endswith(".py"):
                names.add(first.removesuffix(".py"))
            elif first.endswith((".so", ".pyd")):
                names.add(first.split(".", 1)[0])
        else:
            names.add(first)
    return names


def dev_only_modules() -> set[str]:
    """Top-level import names that only the ``dev`` extras install."""
    runtime = closure(DIST_NAME)
    dev_only = closure(DIST_NAME, frozenset({"dev"})) - runtime
    shipped = set().union(*(top_level_modules(name) for name in runtime))
    # A namespace shared with a runtime distribution (say ``google``) stays importable.
    found = set().union(*(top_level_modules(name) for name in dev_only)) - shipped
    return {name for name in found if name.isidentifier()}
