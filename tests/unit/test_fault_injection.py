"""The fault-injection command's parts on stand-in releases: its kill points, its reader checks
(they must see what a killed publication leaves), and the "nothing new" run after a kill that
landed between a release's log commit and its ``analytics.duckdb``."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from customer_truth import cli
from customer_truth.benchmarks.faults import (
    KillPoint,
    analytics_built_before_purge,
    analytics_release,
    latest_versions,
    locks_held,
    plan_points,
    reader_sees_whole_release,
)
from customer_truth.publication.analytics import analytics_path
from customer_truth.publication.publisher import publish_release
from customer_truth.publication.reader import current_release
from customer_truth.run_lock import run_lock
from customer_truth.settings import Settings
from tests.publication_helpers import PASSED, STAND_IN_TABLES, stand_in_candidates
from tests.unit.test_publication import _kill_a_publisher_after


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(landing=tmp_path / "landing", home=tmp_path / "home")


def _publish(settings: Settings, pid: str, people: range) -> None:
    publish_release(settings, pid, datetime.now(UTC), PASSED, tables=STAND_IN_TABLES,
                    candidates=stand_in_candidates(people))  # fmt: skip


def test_kill_points_are_seeded_uniform_over_the_run_and_chains_go_further() -> None:
    points = plan_points(random.Random(5), 40, 100.0, 0, 1)
    assert points == plan_points(random.Random(5), 40, 100.0, 0, 1)  # reproducible
    assert points != plan_points(random.Random(6), 40, 100.0, 0, 1)
    seconds = [p.seconds for p in points]
    assert all(s is not None and 0 <= s <= 100.0 for s in seconds)
    assert min(s or 0 for s in seconds) < 25 and max(s or 0 for s in seconds) > 75

    chained = plan_points(random.Random(5), 6, 100.0, 2, 3)
    assert sum(p.table_versions is not None for p in chained) == 2
    for start in (0, 3):
        group = chained[start : start + 3]
        timed = [p.seconds for p in group if p.seconds is not None]
        assert timed == sorted(timed)
        # a publication kill ends its chain's timed kills: the runs before it get past them
        first_publication = next(
            (n for n, p in enumerate(group) if p.table_versions is not None), len(group)
        )
        assert all(p.table_versions is not None for p in group[first_publication:])
    assert KillPoint(seconds=1.5).describe() == "at 1.5 s"


def test_the_checks_see_what_a_killed_publication_leaves_and_what_recovery_undoes(
    settings: Settings,
) -> None:
    _publish(settings, "pub-1", range(10))
    _kill_a_publisher_after(settings, tables_written=2)

    release, problems = reader_sees_whole_release(settings)
    assert release is not None and release.publication_id == "pub-1" and problems == []
    unreleased, problems = latest_versions(settings, release)
    assert len(unreleased) == 2 and problems == []  # the killed publication's, each whole
    assert analytics_release(settings) == ("pub-1", [])
    assert locks_held(settings) == []
    with run_lock(settings, "someone"):
        assert locks_held(settings) == ["run.lock"]  # flock: per open file, not per process
    from customer_truth.publication.recovery import roll_back_unreleased

    roll_back_unreleased(settings, STAND_IN_TABLES)
    assert latest_versions(settings, release) == ([], [])


def test_analytics_of_another_release_is_reported(settings: Settings) -> None:
    _publish(settings, "pub-1", range(10))
    kept = settings.home / "analytics-pub-1.duckdb"
    shutil.copy(analytics_path(settings), kept)
    _publish(settings, "pub-2", range(12))
    shutil.copy(kept, analytics_path(settings))
    held, problems = analytics_release(settings)
    assert held == "pub-1" and problems == []  # whole, but not the current release
    with duckdb.connect(str(analytics_path(settings))) as con:
        con.execute("delete from customer_profile where customer_id = 'ct_000001'")
    assert analytics_release(settings)[1] == [
        "analytics.duckdb: customer_profile has 9 rows, pub-1 holds 10"
    ]


def test_a_run_with_nothing_new_after_a_kill_past_the_log_commit_rebuilds_analytics(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Killed after a release's log commit, before its ``analytics.duckdb`` was swapped in: the
    release covers every batch, so the next ``customer-truth run`` has nothing new and starts no
    job, yet analysts must not keep reading the release before."""
    _publish(settings, "pub-1", range(10))
    kept = settings.home / "analytics-pub-1.duckdb"
    shutil.copy(analytics_path(settings), kept)
    _publish(settings, "pub-2", range(12))
    shutil.copy(kept, analytics_path(settings))  # what the kill left
    settings.landing.mkdir(parents=True)  # its one batch is gone: nothing new
    monkeypatch.setenv("CUSTOMER_TRUTH_LANDING", str(settings.landing))
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(settings.home))
    monkeypatch.setattr(
        "customer_truth.pending.complete_batch_names", lambda landing: ["crm/20260301T000000Z"]
    )

    assert cli.main(["run"]) == 0
    assert "no run started" in capsys.readouterr().out
    current = current_release(settings)
    assert current is not None and current.publication_id == "pub-2"
    assert analytics_release(settings) == ("pub-2", [])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--kills", "0"], "--kills, --persons and --chain must be at least 1"),
        (["--kills", "3", "--publication-kills", "4"], "--publication-kills must be between"),
        (["--persons", "0"], "--kills, --persons and --chain must be at least 1"),
    ],
)
def test_bad_fault_arguments_are_a_clear_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["benchmark", "faults", *argv]) == 2
    assert message in capsys.readouterr().err


def test_recovery_rebuilds_analytics_a_kill_left_from_before_an_erasure_purge(
    settings: Settings,
) -> None:
    """Killed between the erasure purge of the current release's tables and the rebuild of
    ``analytics.duckdb``: the file names the current release but still holds the erased person.
    Found by ``customer-truth benchmark faults`` (a kill inside a publication that purged)."""
    import pyarrow as pa

    from customer_truth.publication.erasure import ErasedSet
    from customer_truth.publication.publisher import record_blocked
    from customer_truth.publication.recovery import roll_back_unreleased
    from tests.publication_helpers import person

    _publish(settings, "pub-1", range(10))
    kept = settings.home / "analytics-before-the-purge.duckdb"
    shutil.copy(analytics_path(settings), kept)
    gone = person(4)
    erased = ErasedSet(
        pa.table(
            {
                "customer_id": [gone["customer_id"]],
                "identifier_sha256": pa.array([None], pa.string()),
            }
        )
    )
    record_blocked(settings, "blocked-1", datetime.now(UTC), [], erased=erased,
                   tables=STAND_IN_TABLES)  # fmt: skip
    shutil.copy(kept, analytics_path(settings))  # what a kill before the rebuild leaves
    held, problems = analytics_release(settings)
    assert held == "pub-1" and problems  # the checker sees the stale file
    # right after such a kill that is allowed (a whole release, as it was before the purge),
    # never a table with fewer rows than the release holds
    assert analytics_built_before_purge(settings)
    assert analytics_release(settings, purged_since=True) == ("pub-1", [])

    roll_back_unreleased(settings, STAND_IN_TABLES)
    assert analytics_release(settings) == ("pub-1", [])
    assert not analytics_built_before_purge(settings)
    with duckdb.connect(str(analytics_path(settings)), read_only=True) as con:
        emails = {e for (e,) in con.sql("select email from customer_profile").fetchall()}
    assert gone["email"] not in emails and len(emails) == 9
