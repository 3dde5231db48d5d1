"""One run at a time per home: the run lock queues a second run, names the run it waits for,
gives up after its wait, and is held by a Dagster run from its first step to its last."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from customer_truth.run_lock import RunBusyError, run_lock
from customer_truth.settings import Settings
from dagster_project.resources import WarehouseResource

HOLDER = """
import sys, time
from pathlib import Path
from customer_truth.run_lock import run_lock
from customer_truth.settings import Settings
settings = Settings(landing=Path('.'), home=Path(sys.argv[1]))
with run_lock(settings, "run-a"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(home: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def _held_elsewhere(settings: Settings) -> bool:
    """Whether a holder other than this open file holds the run lock (flock is per open file)."""
    with open(settings.run_lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def test_a_second_run_waits_for_the_first_and_says_which_run_it_waits_for(tmp_path: Path) -> None:
    settings = Settings(landing=tmp_path, home=tmp_path)
    holder = _hold(tmp_path, 2)
    said: list[str] = []
    started = time.monotonic()
    with run_lock(settings, "run-b", timeout=60, on_wait=said.append):
        waited = time.monotonic() - started
    assert holder.wait(timeout=30) == 0
    assert waited > 0.5
    assert said and said[0].startswith("waiting for run run-a (pid")


def test_a_second_run_gives_up_after_its_wait_naming_the_run_that_holds_the_home(
    tmp_path: Path,
) -> None:
    settings = Settings(landing=tmp_path, home=tmp_path)
    holder = _hold(tmp_path, 30)
    try:
        with pytest.raises(RunBusyError, match="run run-a .* still holds"):
            with run_lock(settings, "run-b", timeout=0.5):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_the_run_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    settings = Settings(landing=tmp_path, home=tmp_path)
    with run_lock(settings, "outer", timeout=0), run_lock(settings, "inner", timeout=0):
        assert _held_elsewhere(settings)
    assert not _held_elsewhere(settings)


def test_a_dagster_run_holds_the_run_lock_from_its_first_step_to_its_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(tmp_path))
    settings = Settings(landing=tmp_path, home=tmp_path)
    seen: list[bool] = []

    @dg.op
    def first(warehouse: WarehouseResource) -> int:
        seen.append(_held_elsewhere(settings))
        return 1

    @dg.op
    def between(number: int) -> int:  # a step that needs no warehouse
        seen.append(_held_elsewhere(settings))
        return number

    @dg.op
    def last(number: int, warehouse: WarehouseResource) -> None:
        seen.append(_held_elsewhere(settings))

    @dg.job(executor_def=dg.in_process_executor)
    def job() -> None:
        last(between(first()))

    result = job.execute_in_process(resources={"warehouse": WarehouseResource()})
    assert result.success
    assert seen == [True, True, True]
    assert not _held_elsewhere(settings)
    assert f'"run_id": "{result.run_id}"' in settings.run_lock.read_text()
