"""Running the main job outside ``dagster dev``: the instance it records into, and the headless run.

``customer-truth run`` and ``dagster dev`` share one Dagster home under ``CUSTOMER_TRUTH_HOME``, so
headless runs appear in the UI's run history, and its ``dagster.yaml`` queues runs one at a time
(the warehouse has a single writer). Across processes, a headless run and a Dagster-launched one
are serialised by the run lock (``run_lock``), held by ``run_main_job`` from before the recovery
of a killed publication to the end of the job.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from customer_truth.publication.recovery import roll_back_unreleased
from customer_truth.run_lock import run_lock
from customer_truth.settings import Settings

WRITTEN_BY = "# Written by customer-truth"


def dagster_yaml(settings: Settings) -> str:
    """The home's ``dagster.yaml``: runs queue one at a time (the DuckDB warehouse has one
    writer), no telemetry, and the event log of ``customer_truth/dagster_event_log.py`` in the
    folder Dagster's own would use (the path is the home's: a copied home gets its own)."""
    events = json.dumps(str(settings.dagster_home / "history" / "runs"))
    return f"""\
{WRITTEN_BY} (delete this line to keep your own edits).
concurrency:
  runs:
    max_concurrent_runs: 1
telemetry:
  enabled: false
event_log_storage:
  module: customer_truth.dagster_event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {events}
"""


def prepare_dagster_home(settings: Settings) -> None:
    """Create the Dagster home with its ``dagster.yaml`` and point ``DAGSTER_HOME`` at it. A
    ``dagster.yaml`` customer-truth wrote is brought up to date (a new version, a copied or moved
    home); one a user wrote is kept."""
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    config = settings.dagster_home / "dagster.yaml"
    wanted = dagster_yaml(settings)
    current = config.read_text() if config.exists() else None
    if current is None or (current.startswith(WRITTEN_BY) and current != wanted):
        config.write_text(wanted)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    started_at: datetime
    failed_checks: list[str]
    warned_checks: list[str]


def run_main_job(
    settings: Settings, full_refresh: bool = False, run_id: str | None = None
) -> RunOutcome:
    """Execute the main job in this process, recorded in the shared Dagster instance, holding the
    home's run lock from start to end (waiting for a run that holds it: ``RunBusyError``).

    ``full_refresh`` rebuilds every dbt model from all history (``dbt build --full-refresh``).
    ``run_id``: the Dagster run id to use (the CLI names it while it waits for the lock)."""
    run_id = run_id or str(uuid.uuid4())
    with run_lock(settings, run_id, on_wait=print):
        return _run_main_job(settings, full_refresh, run_id)


def _run_main_job(settings: Settings, full_refresh: bool, run_id: str) -> RunOutcome:
    prepare_dagster_home(settings)
    # before anything else: no table version a killed publication left is the latest one
    restored = roll_back_unreleased(settings)
    if restored:
        print(f"restored the released version of {len(restored)} table(s) a killed run had "
              f"written: {', '.join(restored)}")  # fmt: skip
    # imported late: loading the definitions parses the dbt project when needed
    import dagster as dg

    from dagster_project.definitions import defs
    from dagster_project.transform.assets import full_refresh_run_config

    started_at = datetime.now(UTC)
    job = defs.resolve_job_def("customer_truth_job")
    run_config: dict = {
        # step-by-step DEBUG events are in the UI's run history; the terminal gets INFO
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
        **(full_refresh_run_config(job) if full_refresh else {}),
    }
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=run_config, run_id=run_id
        )
    failed: list[str] = []
    warned: list[str] = []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        line = (
            f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            f" ({evaluation.description or 'failed'})"
        )
        is_warning = evaluation.severity == dg.AssetCheckSeverity.WARN
        (warned if is_warning else failed).append(line)
    return RunOutcome(result.success, result.run_id, started_at, failed, warned)
