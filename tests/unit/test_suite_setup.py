"""The suite's own machinery: tests marked with one ``xdist_group`` run on one worker.

The integration tests that read the grown world, and the dbt staging tests, share a fixture that
costs a job run or a dbt build; ``--dist loadgroup`` (pyproject's addopts) sends each group to
one worker so that it is built once. pytest 9.2 with pytest-xdist 3.8 silently stopped grouping
(pytest-dev/pytest-xdist#1386): every worker that drew one of them built its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GROUPED = """
import pytest

pytestmark = pytest.mark.xdist_group("shared")


@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    pass
"""


def test_tests_of_one_xdist_group_run_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "--dist",
         "loadgroup", "-v", "-c", "/dev/null", "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # "[gw0] [ 16%] PASSED test_grouped.py::test_grouped[0]@shared"
    workers = {line.split()[0] for line in done.stdout.splitlines() if " PASSED " in line}
    assert len(workers) == 1, done.stdout
