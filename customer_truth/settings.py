"""Where things live: the one module that answers "where is X".

Every path comes from the environment with a default that works on a fresh clone:
- ``CUSTOMER_TRUTH_LANDING``: the landing zone (default: the committed sample world in ``seeds/``);
- ``CUSTOMER_TRUTH_HOME``: the pipeline's own folder (default: ``.customer_truth_home/`` in the
  checkout, ignored by git) holding the warehouse file, Dagster's storage and ``published/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"


@dataclass(frozen=True)
class Settings:
    landing: Path
    home: Path

    @property
    def warehouse(self) -> Path:
        """The DuckDB file: raw, staging, intermediate and marts schemas."""
        return self.home / "warehouse.duckdb"

    @property
    def warehouse_lock(self) -> Path:
        """Advisory lock taken by every step that opens the warehouse (one writer at a time)."""
        return self.home / "warehouse.lock"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def published(self) -> Path:
        return self.home / "published"


def load_settings() -> Settings:
    """Read the settings from the environment; relative paths resolve against the cwd."""
    landing = os.environ.get("CUSTOMER_TRUTH_LANDING") or str(SEEDS_DIR / "landing")
    home = os.environ.get("CUSTOMER_TRUTH_HOME") or str(REPO_ROOT / ".customer_truth_home")
    return Settings(landing=Path(landing).resolve(), home=Path(home).resolve())
