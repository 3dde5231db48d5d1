"""The event log the main job records into (customer_truth/dagster_event_log.py): Dagster's SQLite
storage with its connections kept open. It must keep what Dagster's own keeps: every event of a
run readable, asset and asset-check events in the cross-run index, a run's database file
changing as its events come (the UI follows a run by watching that file), the home's history."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log import SqliteEventLogStorage

from customer_truth.dagster_event_log import PooledSqliteEventLogStorage
from customer_truth.orchestration import WRITTEN_BY, dagster_yaml, prepare_dagster_home
from customer_truth.settings import Settings


@dg.asset
def counted() -> int:
    return 1


@dg.asset_check(asset=counted)
def counted_is_one() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")
    monkeypatch.setenv("DAGSTER_HOME", str(settings.dagster_home))
    prepare_dagster_home(settings)
    return settings


def _run(instance: dg.DagsterInstance) -> str:
    definitions = dg.Definitions(assets=[counted], asset_checks=[counted_is_one])
    job = definitions.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance)
    assert result.success
    return result.run_id


def test_a_home_records_its_runs_through_the_pooled_event_log_and_keeps_every_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _home(tmp_path, monkeypatch)
    monkeypatch.delenv("DAGSTER_HOME")  # opened by its folder alone, as the benchmarks do
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        run_id = _run(instance)
        events = instance.all_logs(run_id)
        latest = instance.get_latest_materialization_event(dg.AssetKey("counted"))
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("counted"), "counted_is_one")]
        )
    assert any(e.dagster_event and e.dagster_event.is_successful_output for e in events)
    assert latest is not None and latest.run_id == run_id  # the cross-run index
    assert [c.run_id for c in check.values()] == [run_id]
    # Dagster's own storage, opened afresh on the same folder, reads the same history
    plain = SqliteEventLogStorage(str(settings.dagster_home / "history" / "runs"))
    assert len(plain.get_logs_for_run(run_id)) == len(events)


def test_a_runs_database_file_changes_by_the_end_of_its_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI watches `<run_id>.db`, which changes only when the write-ahead log is checkpointed
    into it: without the checkpoints the file would hold none of the run's events."""
    settings = _home(tmp_path, monkeypatch)
    with dg.DagsterInstance.get() as instance:
        started = time.time()
        run_id = _run(instance)
        database = settings.dagster_home / "history" / "runs" / f"{run_id}.db"
        assert database.stat().st_mtime >= started - 1
        # read the file alone, as a reader that ignores the write-ahead log would
        copy = tmp_path / "copy.db"
        copy.write_bytes(database.read_bytes())
        with sqlite3.connect(copy) as con:
            (stored,) = con.execute("select count(*) from event_logs").fetchone()
        assert stored == len(instance.all_logs(run_id))


def test_dagster_yaml_written_by_an_earlier_version_is_updated_and_a_users_own_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")
    monkeypatch.setenv("DAGSTER_HOME", str(settings.dagster_home))
    config = settings.dagster_home / "dagster.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(f"{WRITTEN_BY}. Runs queue one at a time.\ntelemetry:\n  enabled: false\n")
    prepare_dagster_home(settings)
    assert config.read_text() == dagster_yaml(settings)
    # a copied home writes its events into its own folder, not the original's
    moved = Settings(landing=tmp_path / "landing", home=tmp_path / "moved")
    shutil.copytree(settings.home, moved.home)
    prepare_dagster_home(moved)
    assert (
        str(moved.dagster_home / "history" / "runs")
        in (moved.dagster_home / "dagster.yaml").read_text()
    )
    own = "telemetry:\n  enabled: false\n"
    config.write_text(own)
    prepare_dagster_home(settings)
    assert config.read_text() == own
    assert os.environ["DAGSTER_HOME"] == str(settings.dagster_home)
