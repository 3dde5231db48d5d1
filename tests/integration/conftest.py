"""A generated world and a run of the main job on it, shared by the integration tests."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from customer_truth.generate import generate_world
from customer_truth.orchestration import RunOutcome, run_main_job
from customer_truth.settings import Settings

PERSONS, SEED, DAYS = 300, 7, 2


@dataclass(frozen=True)
class World:
    root: Path
    settings: Settings
    first_run: RunOutcome
    first_run_seconds: float  # wall time of the uninterrupted first run

    def defects(self) -> list[dict]:
        lines = (self.root / "truth" / "defects.jsonl").read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]


def run_job(settings: Settings, full_refresh: bool = False) -> RunOutcome:
    """Run the main job in this process with the world's settings, restoring the environment."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CUSTOMER_TRUTH_LANDING", str(settings.landing))
        env.setenv("CUSTOMER_TRUTH_HOME", str(settings.home))
        env.setenv("DAGSTER_HOME", str(settings.dagster_home))
        return run_main_job(settings, full_refresh=full_refresh)


# one world for the whole session: tests that change it run in test_main_job.py, the others
# (test_faults.py) work on a copy; a second world would cost a second run of the job
@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("world")
    generate_world(persons=PERSONS, seed=SEED, out=root, days=DAYS)
    settings = Settings(landing=root / "landing", home=root / "home")
    started = time.monotonic()
    outcome = run_job(settings)
    yield World(root, settings, outcome, time.monotonic() - started)
    shutil.rmtree(root, ignore_errors=True)
