"""How to run ``ingestion-agent`` from here, as a line that works when pasted into a shell.

``make demo`` runs ``.venv/bin/ingestion-agent``, which is not on ``PATH`` unless the
virtual environment is activated, so the guide names the console script this process was
started from (or the one beside its Python), relative to the current folder when it lies
below it. Only when that very program is what ``PATH`` finds is the bare name printed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

__all__ = ["PROGRAM", "console_script"]

PROGRAM = "ingestion-agent"


def _candidates(argv0: str, executable: str) -> list[Path]:
    started = Path(argv0)
    found = [started] if started.name == PROGRAM else []
    return [*found, Path(executable).with_name(PROGRAM)]


def _same_file(one: Path, other: str | None) -> bool:
    try:
        return other is not None and one.samefile(other)
    except OSError:
        return False


def console_script(
    *,
    cwd: Path | None = None,
    argv0: str | None = None,
    executable: str | None = None,
    path: str | None = None,
) -> str:
    """The shell word that runs this installation's ``ingestion-agent`` from ``cwd``.

    Args:
        cwd: Where the line will be pasted; the current folder by default.
        argv0: How this process was started; ``sys.argv[0]`` by default.
        executable: This Python; ``sys.executable`` by default.
        path: The ``PATH`` to look the bare name up in; the environment's by default.
    """
    here = Path(cwd or Path.cwd()).absolute()
    candidates = _candidates(sys.argv[0] if argv0 is None else argv0, executable or sys.executable)
    script = next((c.absolute() for c in candidates if c.is_file()), None)
    if script is None:
        return PROGRAM  # not installed as a console script: the best guess left
    on_path = shutil.which(PROGRAM, path=os.environ.get("PATH") if path is None else path)
    if _same_file(script, on_path):
        return PROGRAM
    if not script.is_relative_to(here):
        return shlex.quote(str(script))
    relative = script.relative_to(here)
    # Without a slash the shell would look the name up on PATH instead.
    return shlex.quote(str(relative) if len(relative.parts) > 1 else f"./{relative}")
