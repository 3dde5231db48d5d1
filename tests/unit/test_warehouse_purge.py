"""The warehouse file is rewritten without an erased person's deleted bytes once the oldest sweep
it has not covered is ``warehouse_purge_after`` old, and not before (privacy/warehouse_purge.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from customer_truth.privacy.warehouse_purge import purge_report, purge_warehouse_if_due
from customer_truth.settings import Settings
from customer_truth.warehouse import ensure_erasure_state, open_warehouse

SECRET = "erased.person.7f3a9c@example.org"
SWEPT_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _home_with_a_sweep(tmp_path: Path, purge_after: timedelta) -> Settings:
    """A warehouse that held the person, deleted them and logged the sweep, as the sweep does."""
    settings = Settings(
        landing=tmp_path / "landing", home=tmp_path / "home", warehouse_purge_after=purge_after
    )
    with open_warehouse(settings) as con:
        ensure_erasure_state(con)
        # a small table: DuckDB stores its strings as they are (a large one compresses them)
        con.execute("create table contacts (email varchar)")
        con.execute("insert into contacts values (?), (?), (?)",
                    ["kept.one@example.org", SECRET, "kept.two@example.org"])  # fmt: skip
        con.execute("checkpoint")
        con.execute("delete from contacts where email = ?", [SECRET])
        con.execute(
            "insert into privacy.warehouse_erasures values (?, 'main.contacts', 1, ['r1']), "
            "(?, '*', 1, ['r1'])",
            [SWEPT_AT, SWEPT_AT],
        )
        con.execute("checkpoint")
    return settings


def _file_holds_secret(settings: Settings) -> bool:
    return SECRET.encode() in settings.warehouse.read_bytes()


def test_the_rewrite_waits_until_the_oldest_uncovered_sweep_is_due_then_leaves_no_byte(
    tmp_path: Path,
) -> None:
    settings = _home_with_a_sweep(tmp_path, timedelta(days=7))
    # what the purge is for: a delete leaves the bytes in the file
    assert _file_holds_secret(settings)

    early = purge_warehouse_if_due(settings, now=SWEPT_AT + timedelta(days=6, hours=23))
    assert (early.purged, early.due_at) == (False, SWEPT_AT + timedelta(days=7))
    assert "due at 2026-12-08 09:00 UTC" in early.describe()
    assert _file_holds_secret(settings)

    due = purge_warehouse_if_due(settings, now=SWEPT_AT + timedelta(days=7))
    assert due.purged and due.pending_since == SWEPT_AT
    assert not _file_holds_secret(settings)
    with open_warehouse(settings) as con:
        assert con.execute("select count(*) from contacts").fetchall() == [(2,)]
        assert con.execute("select * from privacy.warehouse_purges").fetchall() == [
            (SWEPT_AT + timedelta(days=7), SWEPT_AT)
        ]
    # covered: nothing waits any more, and nothing is rewritten again
    again = purge_warehouse_if_due(settings, now=SWEPT_AT + timedelta(days=30))
    assert (again.pending_since, again.purged) == (None, False)


def test_a_later_sweep_waits_for_its_own_due_time(tmp_path: Path) -> None:
    settings = _home_with_a_sweep(tmp_path, timedelta(days=7))
    assert purge_warehouse_if_due(settings, now=SWEPT_AT + timedelta(days=8)).purged
    later = SWEPT_AT + timedelta(days=10)
    with open_warehouse(settings) as con:
        con.execute("insert into privacy.warehouse_erasures values (?, '*', 3, ['r2'])", [later])
    check = purge_warehouse_if_due(settings, now=later + timedelta(days=1))
    assert (check.pending_since, check.purged) == (later, False)


def test_a_sweep_that_removed_nothing_asks_for_no_rewrite(tmp_path: Path) -> None:
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home",
                        warehouse_purge_after=timedelta(0))  # fmt: skip
    with open_warehouse(settings) as con:
        ensure_erasure_state(con)
        con.execute("insert into privacy.warehouse_erasures values (?, '*', 0, ['r1'])", [SWEPT_AT])
    check = purge_warehouse_if_due(settings)
    assert (check.pending_since, check.purged) == (None, False)


def test_a_window_of_zero_rewrites_right_after_the_sweep(tmp_path: Path) -> None:
    settings = _home_with_a_sweep(tmp_path, timedelta(0))
    assert purge_warehouse_if_due(settings, now=SWEPT_AT).purged
    assert not _file_holds_secret(settings)


@pytest.mark.parametrize("value", ["-1", "a week"])
def test_the_window_setting_refuses_what_is_not_a_number_of_days(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from customer_truth.settings import load_settings

    monkeypatch.setenv("CUSTOMER_TRUTH_WAREHOUSE_PURGE_DAYS", value)
    with pytest.raises(ValueError, match="CUSTOMER_TRUTH_WAREHOUSE_PURGE_DAYS"):
        load_settings()
    monkeypatch.setenv("CUSTOMER_TRUTH_WAREHOUSE_PURGE_DAYS", "0.5")
    assert load_settings().warehouse_purge_after == timedelta(hours=12)


def test_the_purge_command_rewrites_at_once_whatever_the_window(tmp_path: Path) -> None:
    settings = _home_with_a_sweep(tmp_path, timedelta(days=7))
    env = {**os.environ, "CUSTOMER_TRUTH_HOME": str(settings.home)}
    command = [sys.executable, "-m", "customer_truth.cli", "purge-warehouse"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "file rewritten, covering the sweeps since 2026-12-01 09:00 UTC" in done.stdout
    assert not _file_holds_secret(settings)
    again = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "no sweep waits" in again.stdout


def test_the_run_report_says_when_the_purge_is_due_or_that_the_run_did_it(tmp_path: Path) -> None:
    settings = _home_with_a_sweep(tmp_path, timedelta(days=7))
    run_started = SWEPT_AT - timedelta(minutes=5)
    with open_warehouse(settings) as con:
        assert purge_report(con, settings, run_started) == (
            "warehouse purge: due at 2026-12-08 09:00 UTC, for the sweeps since "
            "2026-12-01 09:00 UTC (CUSTOMER_TRUTH_WAREHOUSE_PURGE_DAYS)"
        )
    purge_warehouse_if_due(settings, now=SWEPT_AT + timedelta(days=7))
    with open_warehouse(settings) as con:
        assert "rewritten by this run" in str(purge_report(con, settings, run_started))
        # a later run that found nothing waiting says nothing
        assert purge_report(con, settings, SWEPT_AT + timedelta(days=8)) is None
