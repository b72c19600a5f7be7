"""A 1 GiB CSV upload is processed with bounded memory: peak RSS under 200 MB.

The job runs in a fresh process (``memory_child``) so that its peak RSS is its own and
not the test runner's. This asserts a memory bound, not a duration.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GIB = 1 << 30
RSS_LIMIT_MB = 200


def _write_csv(path: Path, size: int) -> int:
    """A CSV of ``size`` bytes or a little more, with distinct ids; its row count."""
    rows = 0
    block_rows = 20_000
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id,name,qty,description\n")
        written = 0
        while written < size:
            block = "".join(
                f"SKU-{rows + i:09d},Widget number {rows + i},{i % 97},"
                "A plain description of this widget for the catalogue\n"
                for i in range(block_rows)
            )
            out.write(block)
            written += len(block)
            rows += block_rows
    return rows


@pytest.mark.timeout(900)
def test_a_1_gib_csv_upload_is_processed_in_under_200_mb(tmp_path: Path) -> None:
    csv_path = tmp_path / "big.csv"
    rows = _write_csv(csv_path, GIB)
    work = tmp_path / "work"
    work.mkdir()

    size = csv_path.stat().st_size
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tests.connections.jobs.memory_child", str(csv_path), str(work)],
            capture_output=True,
            text=True,
            timeout=850,
            check=False,
            cwd=Path(__file__).resolve().parents[3],
        )
    finally:
        # Two GiB (the upload and its result) are not worth keeping among pytest's temp dirs.
        csv_path.unlink()
        shutil.rmtree(work, ignore_errors=True)

    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert size >= GIB
    assert (outcome["status"], outcome["records_in"], outcome["records_out"]) == (
        "succeeded",
        rows,
        rows,
    )
    assert outcome["max_rss_mb"] < RSS_LIMIT_MB, outcome
