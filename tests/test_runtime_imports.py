"""Every shipped module imports with the runtime dependencies alone.

``make run`` installs ``pip install -e .`` without the dev extras, so a module that imports
a dev-only package at run time (a stub package such as ``mypy_boto3_s3``, a test tool)
crashes the service on a fresh clone while the suite, which runs with the dev extras,
passes. Here each module is imported in a fresh interpreter in which a meta path finder
makes every dev-only package unimportable, as it is on a user's machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.distributions import dev_only_modules

SHIPPED = ("agent", "api", "connections", "connectors", "fsm", "sessions")
# Named in the issue; the metadata walk must find them (``seaweedfs`` ships only a binary,
# so it is blocked by name in case a module ever tries to import it).
KNOWN_DEV_ONLY = {
    "mypy_boto3_s3",
    "pytest",
    "playwright",
    "fakesnow",
    "trustme",
    "schemathesis",
    "pyinstrument",
    "pexpect",
}

_IMPORT_ALL = """
import importlib, importlib.abc, json, pkgutil, sys

blocked = set(json.loads(sys.argv[1]))

class DevOnly(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in blocked or top.startswith("mypy_boto3_"):
            raise ModuleNotFoundError(f"No module named {name!r} (dev extras only)", name=name)
        return None

sys.meta_path.insert(0, DevOnly())
failed = {}
def imported(name):
    try:
        return importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
        return None

for package in json.loads(sys.argv[2]):
    root = imported(package)
    if root is None:
        continue
    # walk_packages imports each package to look inside it; a failure is noted, not raised.
    walked = pkgutil.walk_packages(root.__path__, package + ".", onerror=imported)
    for name in [m.name for m in walked]:
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failed))
"""


def test_the_dev_only_packages_are_found_from_the_installed_metadata() -> None:
    assert dev_only_modules() >= KNOWN_DEV_ONLY
    assert not dev_only_modules() & {"boto3", "botocore", "aiohttp", "pydantic", "redis"}


def test_every_shipped_module_imports_without_the_dev_extras(repo_root: Path) -> None:
    blocked = sorted(dev_only_modules() | KNOWN_DEV_ONLY | {"seaweedfs"})
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, json.dumps(blocked), json.dumps(SHIPPED)],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    failed = json.loads(result.stdout.splitlines()[-1])
    assert failed == {}, "\n".join(f"{name}: {error}" for name, error in failed.items())


@pytest.mark.parametrize("blocked", ["pytest", "mypy_boto3_s3", "mypy_boto3_ec2.literals"])
def test_the_finder_really_blocks(blocked: str, repo_root: Path) -> None:
    script = _IMPORT_ALL.replace("failed = {}", f"import {blocked}\nfailed = {{}}")
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(["pytest"]), "[]"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "dev extras only" in result.stderr
