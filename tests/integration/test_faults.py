"""Kills at random points: the fault-injection command's three kills on the shared world.

``customer-truth benchmark faults`` (``customer_truth/benchmarks/faults.py``) kills
``customer-truth run`` (SIGKILL to its whole process tree) at seeded points and checks readers
after each kill. The suite runs three of its kills in one chain to fit the CI budget: two at
random points over the measured length of the world's first run, sorted so that each killed run
gets further than the one before it (it got past the point where the run before it died), and
one inside publication, after some of the release's tables have their new version; then the
next run must publish. The 20-kill command lets a run finish after every kill (README,
Guarantees).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from customer_truth.benchmarks.faults import inject_faults, print_report
from customer_truth.generate import generate_world
from customer_truth.settings import Settings
from tests.integration.conftest import DAYS, PERSONS, SEED, World

# seeded: two timed kills at 10% and 24% of the measured run (start-up or ingestion: early, for
# the CI budget; the 20-kill command covers every stage) and one once 4 of the 7 tables have
# their new version
KILL_SEED = 4


def test_kills_at_random_points_leave_every_reader_a_whole_release_and_the_next_run_publishes(
    world: World, tmp_path: Path, capsys
) -> None:
    shutil.copytree(world.root, tmp_path / "copy", symlinks=True)
    settings = Settings(landing=tmp_path / "copy" / "landing", home=tmp_path / "copy" / "home")
    # the same world longer: its next days are the deliveries the killed runs take in (one per
    # chain, and one more for each run that ends before its kill point)
    generate_world(persons=PERSONS, seed=SEED, out=tmp_path / "longer", days=DAYS + 4)

    report = inject_faults(settings, tmp_path / "longer" / "landing", kills=3, seed=KILL_SEED,
                           run_seconds=world.first_run_seconds, logs=tmp_path / "logs",
                           publication_kills=1, chain=3)  # fmt: skip
    print_report(report)
    table = capsys.readouterr().out

    assert len(report.kills) == 3, table
    assert report.passed, table
    # the kill inside publication: the killed publication's versions were the latest ones, and
    # the next run restored the released ones before its job began
    inside = [k for k in report.kills if k.stage.startswith("publication")]
    assert inside, table
    assert any(k.unreleased_latest_tables for k in inside), table
    last = report.kills[-1]
    assert last.next_run == "published" and last.recovered_before_job, table
    assert last.release_after != last.release_before, table
