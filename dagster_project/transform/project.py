"""The dbt project as Dagster sees it, in its own module (``@dbt_assets`` needs the manifest at
import time).

``dagster dev`` re-parses on load (``prepare_if_dev``). Everywhere else (``customer-truth run``,
tests, a fresh clone) the manifest is parsed here when it is missing or older than the project's
sources, so importing the definitions always works without a separate build step.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from customer_truth.settings import DBT_PROJECT_DIR, Settings, load_settings

os.environ.setdefault("DO_NOT_TRACK", "1")
# dbt is installed beside this interpreter; make it findable when the venv is not activated
if shutil.which("dbt") is None:
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

# DBT_TARGET_PATH is dbt's own setting, which dagster-dbt's step folders follow too: processes
# that parse for different homes at once (parallel test workers) each keep their own manifest
customer_truth_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target_path=os.environ.get("DBT_TARGET_PATH", "target"),
)

# what a parse reads: a seed's content is in the incremental fingerprint (incremental_state.py)
_SOURCE_GLOBS = (
    "dbt_project.yml",
    "profiles.yml",
    "models/**/*",
    "macros/**/*",
    "tests/**/*",
    "seeds/**/*",
    "snapshots/**/*",
)


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


def _profile_stamp(project: DbtProject) -> Path:
    return Path(project.manifest_path).parent / "customer_truth_profile_env.json"


def ensure_manifest(
    project: DbtProject = customer_truth_project, settings: Settings | None = None
) -> None:
    """Parse the dbt project when its manifest is missing or stale, or was parsed under another
    profile.

    The environment dbt's profile reads (the home, the memory budget) is set first. dbt keeps
    partial parsing (``partial_parse.msgpack``, which dagster-dbt copies into every invocation)
    only while the profile's values are the ones it parsed with; otherwise each of the job's dbt
    steps parses the whole project again ("profile has changed"), about 5 s each. The home is
    not one of those values (``customer_truth/dbt_home.py`` sets the path when dbt connects), so
    one parse serves every home of the checkout.
    """
    environment = (settings or load_settings()).dbt_environment()
    os.environ.update(environment)
    profile = {k: v for k, v in environment.items() if k != "CUSTOMER_TRUTH_HOME"}
    stamp = _profile_stamp(project)
    parsed_for = json.loads(stamp.read_text()) if stamp.exists() else None
    if manifest_is_stale(project) or parsed_for != profile:
        project.preparer.prepare(project)
        stamp.write_text(json.dumps(profile, sort_keys=True))


customer_truth_project.prepare_if_dev()
ensure_manifest()
