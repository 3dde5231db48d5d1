"""Where things live: the one module that answers "where is X".

Every path comes from the environment with a default that works on a fresh clone:
- ``CUSTOMER_TRUTH_LANDING``: the landing zone (default: the committed sample world in ``seeds/``);
- ``CUSTOMER_TRUTH_HOME``: the pipeline's own folder (default: ``.customer_truth_home/`` in the
  checkout, ignored by git) holding the warehouse file, Dagster's storage, ``published/`` and
  ``secrets/pseudonym.key`` (the deployment's pseudonym key, created on first use). Every
  home-relative path is derived here, and dbt opens the warehouse and spill folder derived here
  (``customer_truth/dbt_home.py``; ``dbt_environment`` passes the resolved home);
- ``CUSTOMER_TRUTH_MEMORY_LIMIT``: the memory budget of every DuckDB database the pipeline opens
  (warehouse, dbt, identity's scratch databases), in DuckDB's terms: ``8GB`` or a share of the
  machine's memory such as ``30%`` (the default). Past it DuckDB spills to ``<home>/duckdb_tmp``.
- ``CUSTOMER_TRUTH_FUTURE_TOLERANCE_MINUTES``, ``CUSTOMER_TRUTH_LATE_TOLERANCE_DAYS``,
  ``CUSTOMER_TRUTH_MANIFEST_SKEW_MINUTES``: how far a batch's extraction time may stand ahead
  of the wall clock, behind the system's latest loaded batch, and apart from its ``_SUCCESS``
  ``extracted_at`` before the batch is quarantined whole (``BatchClock``, ``batch_clock.py``).
- ``CUSTOMER_TRUTH_WAREHOUSE_PURGE_DAYS``: how long an erased person's deleted bytes may stay in
  the warehouse file's storage before the file is rewritten without them
  (``privacy/warehouse_purge.py``; 0: right after every sweep).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"


# Also the default of dbt's profile (dbt_project/profiles.yml), for a hand-run `dbt build`.
DEFAULT_MEMORY_LIMIT = "30%"
# how many releases stay readable (time travel, --as-of); older ones expire (publication/store.py)
DEFAULT_KEEP_RELEASES = 14
# the longest an erased person's deleted rows stay in the warehouse file's storage: as Delta
# Lake's VACUUM keeps removed files 7 days by default (privacy/warehouse_purge.py)
DEFAULT_WAREHOUSE_PURGE_DAYS = 7.0


@dataclass(frozen=True)
class BatchClock:
    """How far a batch's extraction time may be off before the batch is quarantined whole
    (``customer_truth/batch_clock.py``).

    ``future``: ahead of the wall clock (clocks of two hosts differ by seconds, not hours; a
    batch id in 2099 is a bug upstream). ``late``: behind the system's latest loaded batch.
    Batch ids sort in delivery order, but a transfer that failed can be retried after later
    batches landed: a week covers a retry after a long weekend's outage, and an extract older
    than that is a replay of stale data, not a late delivery. ``manifest_skew``: between the
    batch id and the ``_SUCCESS`` ``extracted_at``, both the extraction time by contract."""

    future: timedelta = timedelta(hours=1)
    late: timedelta = timedelta(days=7)
    manifest_skew: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class Settings:
    landing: Path
    home: Path
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    keep_releases: int = DEFAULT_KEEP_RELEASES
    batch_clock: BatchClock = field(default_factory=BatchClock)
    warehouse_purge_after: timedelta = timedelta(days=DEFAULT_WAREHOUSE_PURGE_DAYS)

    @property
    def warehouse(self) -> Path:
        """The DuckDB file: raw, staging, intermediate and marts schemas."""
        return self.home / "warehouse.duckdb"

    @property
    def warehouse_lock(self) -> Path:
        """Advisory lock taken by every step that opens the warehouse (one writer at a time)."""
        return self.home / "warehouse.lock"

    @property
    def run_lock(self) -> Path:
        """Held by a run from its start to its end: one run at a time (``run_lock.py``)."""
        return self.home / "run.lock"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def published(self) -> Path:
        return self.home / "published"

    @property
    def pseudonym_key(self) -> Path:
        """The deployment's secret for keyed pseudonyms (``privacy/pseudonyms.py``)."""
        return pseudonym_key_file(self.home)

    @property
    def duckdb_temp(self) -> Path:
        """Where DuckDB spills what does not fit in ``memory_limit``."""
        return self.home / "duckdb_tmp"

    def dbt_environment(self) -> dict[str, str]:
        """What dbt reads, so that dbt opens the same file under the same budget: the home
        (``customer_truth/dbt_home.py`` derives the warehouse and the spill folder from it
        through this module) and the memory budget (``dbt_project/profiles.yml``)."""
        return {
            "CUSTOMER_TRUTH_HOME": str(self.home),
            "CUSTOMER_TRUTH_MEMORY_LIMIT": self.memory_limit,
        }


def pseudonym_key_file(home: Path) -> Path:
    """Where a home keeps its pseudonym key: owner-only, never in the repository."""
    return Path(home) / "secrets" / "pseudonym.key"


def load_settings() -> Settings:
    """Read the settings from the environment; relative paths resolve against the cwd."""
    landing = os.environ.get("CUSTOMER_TRUTH_LANDING") or str(SEEDS_DIR / "landing")
    home = os.environ.get("CUSTOMER_TRUTH_HOME") or str(REPO_ROOT / ".customer_truth_home")
    memory_limit = os.environ.get("CUSTOMER_TRUTH_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    tolerance = non_negative_from_env
    return Settings(
        landing=Path(landing).resolve(),
        home=Path(home).resolve(),
        memory_limit=memory_limit,
        keep_releases=_keep_releases(os.environ.get("CUSTOMER_TRUTH_KEEP_RELEASES")),
        batch_clock=BatchClock(
            future=timedelta(minutes=tolerance("CUSTOMER_TRUTH_FUTURE_TOLERANCE_MINUTES", 60)),
            late=timedelta(days=tolerance("CUSTOMER_TRUTH_LATE_TOLERANCE_DAYS", 7)),
            manifest_skew=timedelta(minutes=tolerance("CUSTOMER_TRUTH_MANIFEST_SKEW_MINUTES", 60)),
        ),
        warehouse_purge_after=timedelta(
            days=tolerance("CUSTOMER_TRUTH_WAREHOUSE_PURGE_DAYS", DEFAULT_WAREHOUSE_PURGE_DAYS)
        ),
    )


def non_negative_from_env(name: str, default: float, unit: str = "a number") -> float:
    """The number environment variable ``name`` holds (``default`` when unset); a clear error
    for text or a negative number."""
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"{name} must be {unit}, 0 or more: {value!r}")
    return number


def _keep_releases(value: str | None) -> int:
    if not value:
        return DEFAULT_KEEP_RELEASES
    try:
        kept = int(value)
    except ValueError:
        kept = 0
    if kept < 1:
        raise ValueError(
            f"CUSTOMER_TRUTH_KEEP_RELEASES must be a whole number of releases, 1 or more: {value!r}"
        )
    return kept
