"""A generated world and a run of the main job on it, shared by the integration tests."""

from __future__ import annotations

import fcntl
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import pytest

from customer_truth.generate import generate_world
from customer_truth.orchestration import RunOutcome, run_main_job
from customer_truth.settings import Settings
from customer_truth.warehouse import warehouse_lock

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here runs the job: marked, so that `-m 'not integration'` is the fast subset."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.integration)


def run_job(settings: Settings, full_refresh: bool = False) -> RunOutcome:
    """Run the main job in this process with the world's settings, restoring the environment."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CUSTOMER_TRUTH_LANDING", str(settings.landing))
        env.setenv("CUSTOMER_TRUTH_HOME", str(settings.home))
        env.setenv("DAGSTER_HOME", str(settings.dagster_home))
        return run_main_job(settings, full_refresh=full_refresh)


def copy_world(root: Path, into: Path) -> Settings:
    """A copy of a world (landing zone, home, truth) for a test that changes it, taken under the
    world's warehouse lock (another test worker may be reading the same world)."""
    with warehouse_lock(Settings(landing=root / "landing", home=root / "home")):
        shutil.copytree(root, into, symlinks=True)
    return Settings(landing=into / "landing", home=into / "home")


# One world for the whole session, run once and never changed: a test that adds batches or runs
# the job again works on a copy (copy_world), so tests pass in any order and on any worker.
# Under pytest-xdist the first worker to need it builds it, under a file lock, in the folder the
# workers share; the others wait and read the first run's record (a world per worker cost three
# more runs of the job, on two cores).
@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> World:
    base = tmp_path_factory.getbasetemp()
    # a worker's basetemp is `<session>/popen-gwN`: its parent belongs to this session alone
    shared = base if worker_id == "master" else base.parent
    root = shared / "world"
    record = shared / "world-first-run.json"
    with (shared / "world.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            generate_world(persons=PERSONS, seed=SEED, out=root, days=DAYS)
            started = time.monotonic()
            outcome = run_job(Settings(landing=root / "landing", home=root / "home"))
            seconds = time.monotonic() - started
            record.write_text(
                json.dumps({"outcome": asdict(outcome), "seconds": seconds}, default=str)
            )
    held = json.loads(record.read_text())
    outcome = RunOutcome(
        **{**held["outcome"], "started_at": datetime.fromisoformat(held["outcome"]["started_at"])}
    )
    settings = Settings(landing=root / "landing", home=root / "home")
    return World(root, settings, outcome, held["seconds"])


# the tests that read it share one run: @pytest.mark.xdist_group(GROWN) keeps them on one worker
GROWN = "grown_world"


@dataclass(frozen=True)
class GrownWorld:
    """The world's home after its next day landed and the job ran again (an incremental run)."""

    root: Path
    settings: Settings
    run: RunOutcome
    new_batches: list[tuple[str, str]]  # (system, batch id) of the day that landed


@pytest.fixture(scope="session")
def grown_world(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GrownWorld]:
    root = tmp_path_factory.mktemp("grown") / "world"
    settings = copy_world(world.root, root)
    longer = tmp_path_factory.mktemp("longer")
    generate_world(persons=PERSONS, seed=SEED, out=longer, days=DAYS + 1)
    new_batches = []
    for system_dir in sorted((longer / "landing").iterdir()):
        for batch in sorted(system_dir.iterdir()):
            target = settings.landing / system_dir.name / batch.name
            if not target.exists():
                shutil.copytree(batch, target)
                new_batches.append((system_dir.name, batch.name))
    assert new_batches, "one more day should add a batch per system"
    yield GrownWorld(root, settings, run_job(settings), new_batches)
    shutil.rmtree(root.parent, ignore_errors=True)
    shutil.rmtree(longer, ignore_errors=True)
