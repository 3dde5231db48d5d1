"""Settings for the whole suite, before any test module imports the project.

The suite runs on several workers (pytest-xdist, ``addopts`` in pyproject.toml). Each worker
parses the dbt project for the homes its tests create, so each gets its own dbt target folder
(``DBT_TARGET_PATH``, dbt's own setting, which dagster-dbt follows): two workers writing one
manifest would read each other's half-written files.
"""

from __future__ import annotations

import os

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    os.environ["DBT_TARGET_PATH"] = f"target/{_worker}"
