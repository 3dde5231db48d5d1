"""The version of the code that decides what a run publishes: a hash of its files' contents.

A release records it (`publication_log.code_version`), and a run with no new batch still runs
when it changed (`customer_truth/pending.py`). It covers only what shapes the published data:
the pipeline's Python (not the generator, the evaluation or the benchmarks), the dbt project
with its seeds, the quality suites, the privacy policies and the locked library versions (not
the sample world in `seeds/`: that is data). A commit
that touches only documentation, tests or the generator therefore rebuilds nothing, and an
uncommitted edit to a model is seen as a change (a git commit id would do the opposite).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from customer_truth.settings import REPO_ROOT

# folders and files whose contents shape the published tables, relative to the repository root
SHAPING_PATHS = (
    "customer_truth", "dagster_project", "dbt_project", "data_quality", "policies", "uv.lock",
)  # fmt: skip
# parts of those folders that do not: tools around the pipeline, and build output
NOT_SHAPING = (
    "customer_truth/generate", "customer_truth/evaluation", "customer_truth/benchmarks",
    "customer_truth/api", "customer_truth/docs",
    "dbt_project/target", "dbt_project/dbt_packages", "dbt_project/logs",
    "data_quality/gx/uncommitted",
)  # fmt: skip
SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".json", ".lock"}


def _shaping_files(root: Path) -> list[Path]:
    excluded = {root / part for part in NOT_SHAPING}
    files: list[Path] = []
    for entry in SHAPING_PATHS:
        path = root / entry
        if path.is_file():
            files.append(path)
            continue
        for folder, subfolders, names in os.walk(path):
            # prune, so build output (dbt's target holds gigabytes) is never walked
            subfolders[:] = sorted(
                name
                for name in subfolders
                if name != "__pycache__" and Path(folder, name) not in excluded
            )
            files += [Path(folder, name) for name in sorted(names) if Path(name).suffix in SUFFIXES]
    return files


def code_version(root: Path = REPO_ROOT) -> str:
    """`src:` and the first 16 hex digits of a sha-256 over the shaping files' paths and bytes."""
    digest = hashlib.sha256()
    for file in _shaping_files(root):
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return f"src:{digest.hexdigest()[:16]}"
