"""The dbt project as Dagster sees it, in its own module (``@dbt_assets`` needs the manifest at
import time).

``dagster dev`` re-parses on load (``prepare_if_dev``). Everywhere else (``customer-truth run``,
tests, a fresh clone) the manifest is parsed here when it is missing or older than the project's
sources, so importing the definitions always works without a separate build step.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from customer_truth.settings import DBT_PROJECT_DIR

os.environ.setdefault("DO_NOT_TRACK", "1")
# dbt is installed beside this interpreter; make it findable when the venv is not activated
if shutil.which("dbt") is None:
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

customer_truth_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

_SOURCE_GLOBS = ("dbt_project.yml", "profiles.yml", "models/**/*", "macros/**/*", "tests/**/*")


def manifest_is_stale(project: DbtProject = customer_truth_project) -> bool:
    manifest = Path(project.manifest_path)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    root = Path(project.project_dir)
    return any(
        path.is_file() and path.stat().st_mtime > built
        for pattern in _SOURCE_GLOBS
        for path in root.glob(pattern)
    )


def ensure_manifest(project: DbtProject = customer_truth_project) -> None:
    """Parse the dbt project when its manifest is missing or stale."""
    if manifest_is_stale(project):
        project.preparer.prepare(project)


customer_truth_project.prepare_if_dev()
ensure_manifest()
