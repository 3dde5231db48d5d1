"""``customer-truth benchmark faults --kills 20``: kill the main job at random points, then read.

What each kill does and what is checked after it: the comment below the imports.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from deltalake import DeltaTable

from customer_truth.benchmarks.process_tree import descendants
from customer_truth.benchmarks.scale import ensure_world, link_batches
from customer_truth.benchmarks.stages import dbt_stage_of_keys, step_stage
from customer_truth.code_version import code_version
from customer_truth.landing import every_complete_batch_dir
from customer_truth.progress import running, say
from customer_truth.publication.analytics import analytics_path, table_generations
from customer_truth.publication.log import STATUS_PUBLISHED, read_entries
from customer_truth.publication.reader import Release, current_release, read_table, releases
from customer_truth.publication.registry import PUBLISHED_TABLES
from customer_truth.publication.store import table_path
from customer_truth.settings import Settings, load_settings
from customer_truth.statements import statement

# On a small generated world it lands the first day's batches and runs ``customer-truth run``
# once uninterrupted: the **measured length** of a run. Then, for every kill:
#
# 1. the world's next day lands (something new to publish);
# 2. ``customer-truth run`` starts as a child process in its own process group, and at a seeded
#    point drawn uniformly over the measured length (or, for ``--publication-kills``, once a
#    seeded number of tables have their new version, 1 to 7) the whole group and every
#    process of its tree get SIGKILL: the job, its dbt subprocess, everything;
# 3. the stage the kill landed in is read back from the killed run's Dagster event log;
# 4. readers are checked as they find the home right after the kill, before anything recovers:
#    the project's reader (``publication/reader.py``) sees one whole release (every table at the
#    versions the current release names, every row stamped with it); ``analytics.duckdb`` holds
#    one whole release (as the reader finds it, or, after a kill inside an erasure purge, as it
#    was before the purge: counted, the next run rebuilds it at its start); each table's
#    *latest* Delta version, as a direct Delta reader opens it, is one publication's whole
#    snapshot (it may be the killed publication's until the next run starts: counted, see the
#    README's Guarantees); no process of the tree survived and no lock (run, warehouse,
#    publisher) is held;
# 5. the next run starts uninterrupted. Once its Dagster job has begun (recovery is done by
#    then), every table's latest Delta version must be the current release's, and
#    ``analytics.duckdb`` the current release whole; it must exit 0,
#    publishing a new release (or saying "nothing new" when the killed run had committed its
#    release), after which readers, direct readers and ``analytics.duckdb`` all see the current
#    release and no lock is held.
#
# ``--chain N`` lets the next run of a kill be the next killed run, N kills in a row, kill points
# sorted so that each killed run gets further than the one before; only the run after the N-th
# kill is let finish (the test suite's budget: three kills for about the price of three runs).
#
# Results are printed as a table and written as JSON (``<work>/faults-results.json``).

SQL = "benchmarks/sql"  # one statement per file: customer_truth/benchmarks/sql/<name>.sql

# a run that takes longer than this is stuck, not slow
RUN_TIMEOUT_SECONDS = 1800.0
_POLL_SECONDS = 0.05
# a killed process is gone within this (zombies reaped by init)
_GONE_WITHIN_SECONDS = 10.0
# the first line the Dagster job logs: the run's recovery is done by then
_JOB_STARTED = " - dagster - "


class FaultCheckError(AssertionError):
    """A reader saw something no release holds, a lock stayed held, or a run did not recover."""


@dataclass
class KillResult:
    kill: int
    trigger: str  # "at 41.2 s" or "after 3 table versions"
    seconds: float  # since the killed run started
    stage: str  # where the kill landed
    processes_killed: int
    release_before: str | None
    # right after the kill, before any recovery
    reader_release: str | None
    reader_whole: bool
    analytics_release: str | None
    unreleased_latest_tables: list[str]  # latest Delta version is the killed publication's
    locks_free: bool
    analytics_before_purge: bool = False  # built before a purge the kill interrupted
    problems: list[str] = field(default_factory=list)
    # the run after the kill ("next killed run" in a chain)
    next_run: str = ""  # published / nothing new / killed next (chain) / failed
    next_run_seconds: float | None = None
    recovered_before_job: bool | None = None
    release_after: str | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class FaultReport:
    command: str
    code_version: str
    measured_at: str
    persons: int
    seed: int
    run_seconds: float  # the measured length kills are drawn over
    kills: list[KillResult] = field(default_factory=list)
    misses: int = 0  # runs that ended before their kill point (not counted as kills)

    @property
    def passed(self) -> bool:
        return bool(self.kills) and all(k.passed for k in self.kills)


def delivery_days(source: Path) -> list[list[Path]]:
    """The world's complete batches grouped by delivery day (batch ids start with YYYYMMDD)."""
    by_day: dict[str, list[Path]] = {}
    for batch in every_complete_batch_dir(source):
        by_day.setdefault(batch.name[:8], []).append(batch)
    return [by_day[day] for day in sorted(by_day)]


def days_not_landed(source: Path, landing: Path) -> list[list[Path]]:
    """The days of ``source`` none of whose batches are in ``landing`` yet, in order."""
    return [
        day
        for day in delivery_days(source)
        if not any((landing / b.relative_to(source)).exists() for b in day)
    ]


# --- the run as a child process ---------------------------------------------------------------


def _run_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "CUSTOMER_TRUTH_LANDING": str(settings.landing),
        "CUSTOMER_TRUTH_HOME": str(settings.home),
        "CUSTOMER_TRUTH_MEMORY_LIMIT": settings.memory_limit,
        "CUSTOMER_TRUTH_RUN_WAIT": "0",  # nobody else runs on this home: a held lock is a fault
    }


def start_run(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """``customer-truth run`` in a new session: its own process group, killable whole."""
    with log.open("w") as handle:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "customer_truth.cli", "run"],
            env=_run_env(settings),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def latest_version_numbers(settings: Settings) -> dict[str, int]:
    """Each published table's latest Delta version number, from its log folder's listing (cheap
    enough to poll; an erasure purge rewrites a history with the same version numbers)."""
    found = {}
    for table in PUBLISHED_TABLES:
        try:
            names = os.listdir(table_path(settings.published, table) / "_delta_log")
        except OSError:
            continue
        versions = [int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit()]
        if versions:
            found[table.key] = max(versions)
    return found


def tables_written_since(settings: Settings, before: dict[str, int]) -> int:
    """How many tables have a newer version than in ``before``."""
    now = latest_version_numbers(settings)
    return sum(1 for key, version in now.items() if version > before.get(key, -1))


def wait_for(process: subprocess.Popen[bytes], reached: Callable[[], bool], timeout: float) -> bool:
    """Poll until ``reached()`` (True) or the process ends (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reached():
            return True
        if process.poll() is not None:
            return False
        time.sleep(_POLL_SECONDS)
    raise FaultCheckError(f"run {process.pid} still running after {timeout:.0f} s")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"  # a zombie holds no file, no lock


def kill_tree(process: subprocess.Popen[bytes]) -> tuple[int, list[int]]:
    """SIGKILL the run's process group and every process of its tree (a dbt subprocess in a
    session of its own included); returns (processes killed, pids still alive after)."""
    tree = [process.pid, *descendants(process.pid)]
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()
    deadline = time.monotonic() + _GONE_WITHIN_SECONDS
    while time.monotonic() < deadline and any(_alive(pid) for pid in tree):
        time.sleep(_POLL_SECONDS)
    return len(tree), [pid for pid in tree if _alive(pid)]


# --- where a kill landed ----------------------------------------------------------------------


def stage_at_kill(settings: Settings, started: float) -> str:
    """The stage the killed run was in, from its Dagster event log (``stages.py``'s stages)."""
    import dagster as dg

    from dagster_project.transform.project import customer_truth_project

    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        records = [
            r for r in instance.get_run_records() if r.create_timestamp.timestamp() >= started - 1
        ]
        if not records:
            return "start-up (no Dagster run yet)"
        newest = max(records, key=lambda r: r.create_timestamp)
        events = sorted(instance.all_logs(newest.dagster_run.run_id), key=lambda e: e.timestamp)
    begun = [
        e for e in events if e.dagster_event and e.dagster_event.event_type_value == "STEP_START"
    ]
    if not begun:
        return "start-up (job begun, no step yet)"
    step = begun[-1].step_key or ""
    step_events = [e for e in events if e.step_key == step and e.timestamp >= begun[-1].timestamp]
    ended = {"STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"}
    if any(e.dagster_event and e.dagster_event.event_type_value in ended for e in step_events):
        return f"between steps (after {step})"
    whole = step_stage(step)
    if whole is not None:
        return f"{whole} ({step})"
    # a dbt step: the stage of the last node it built, else its start-up
    dbt_stages = dbt_stage_of_keys(Path(customer_truth_project.manifest_path))
    for event in reversed(step_events):
        dagster_event = event.dagster_event
        if dagster_event is not None and dagster_event.is_step_materialization:
            path = tuple(dagster_event.asset_key.path) if dagster_event.asset_key else ()
            return f"{dbt_stages.get(path, 'dbt')} ({step})"
    return f"dbt start-up ({step})"


# --- what readers see -------------------------------------------------------------------------


def release_counts(settings: Settings, release: Release) -> tuple[dict[str, int], list[str]]:
    """Each table of ``release`` through the project's reader (at the version the release names):
    its rows, and what is wrong (a row stamped with another publication). Rows are counted
    here, not taken from the log: an erasure purge removes rows from released versions."""
    counts, problems = {}, []
    for key in release.tables:
        data = read_table(settings, key, release=release, columns=["publication_id"])
        stamps = set(data.column("publication_id").to_pylist())
        if stamps - {release.publication_id}:
            problems.append(f"reader: {key} holds rows of {sorted(stamps)}")
        counts[key] = data.num_rows
    return counts, problems


def reader_sees_whole_release(settings: Settings) -> tuple[Release | None, list[str]]:
    """The current release through the project's reader, and what is wrong with it: every table
    the release names is read at its version, each row stamped with the release."""
    release = current_release(settings)
    if release is None:
        return None, ["no release is current"]
    return release, release_counts(settings, release)[1]


def latest_versions(settings: Settings, release: Release) -> tuple[list[str], list[str]]:
    """Each table's latest Delta version as a direct reader opens it: (tables whose latest version
    is not the release's, problems: a version that is not one publication's whole snapshot, or
    that claims to be the release's but differs from what the release's version holds)."""
    counts, _ = release_counts(settings, release)
    unreleased, problems = [], []
    for table in PUBLISHED_TABLES:
        if table.key not in release.table_versions:
            continue
        data = DeltaTable(str(table_path(settings.published, table))).to_pyarrow_table(
            columns=["publication_id"]
        )
        stamps = set(data.column("publication_id").to_pylist())
        if len(stamps) > 1:
            problems.append(f"direct reader: latest {table.key} mixes {sorted(stamps)}")
        elif stamps and stamps != {release.publication_id}:
            unreleased.append(table.key)
        elif data.num_rows != counts[table.key]:
            problems.append(
                f"direct reader: latest {table.key} has {data.num_rows} rows, the release's "
                f"version {counts[table.key]}"
            )
    return unreleased, problems


def analytics_built_before_purge(settings: Settings) -> bool:
    """Whether ``analytics.duckdb`` was built from other generations of its release's tables than
    the current ones: an erasure purge rewrote them after (``publication/recovery.py``)."""
    path = analytics_path(settings)
    if not path.exists():
        return False
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            held, built_from = con.sql(statement(f"{SQL}/analytics_built_from")).fetchall()[0]
        except duckdb.Error:
            return False  # a file from before generations were recorded
    release = next((r for r in releases(settings) if r.publication_id == held), None)
    if release is None:
        return False
    return json.loads(built_from or "{}") != table_generations(settings, release.tables)


def analytics_release(
    settings: Settings, *, purged_since: bool = False
) -> tuple[str | None, list[str]]:
    """Which release ``analytics.duckdb`` holds, and whether it holds that release whole (every
    table with the rows the project's reader finds in that release). ``purged_since``: the file
    predates an erasure purge of the release, so a table may hold more rows than the reader
    finds now (the rows the purge removed), never fewer."""
    path = analytics_path(settings)
    if not path.exists():
        return None, ["analytics.duckdb is missing"]
    with duckdb.connect(str(path), read_only=True) as con:
        (held,) = con.sql(statement(f"{SQL}/analytics_release")).fetchall()[0]
        release = next((r for r in releases(settings) if r.publication_id == held), None)
        if release is None:
            return held, [f"analytics.duckdb holds {held}, which is no release"]
        problems = []
        for key, rows in release_counts(settings, release)[0].items():
            schema, _, name = key.rpartition("/")
            # names come from the release's own table keys (the registry), not from data
            rows_sql = statement(f"{SQL}/analytics_table_rows", schema=schema or "main", table=name)
            (count,) = con.sql(rows_sql).fetchall()[0]
            if count != rows and not (purged_since and count > rows):
                problems.append(f"analytics.duckdb: {key} has {count} rows, {held} holds {rows}")
    return held, problems


def locks_held(settings: Settings) -> list[str]:
    """The locks (run, warehouse, publisher) someone still holds."""
    held = []
    for path in (settings.run_lock, settings.warehouse_lock, settings.published / ".publish.lock"):
        if not path.exists():
            continue
        with path.open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(handle, fcntl.LOCK_UN)
            except BlockingIOError:
                held.append(path.name)
    return held


# --- one kill and the run after it -------------------------------------------------------------


@dataclass(frozen=True)
class KillPoint:
    seconds: float | None = None  # kill this long after the start, or
    table_versions: int | None = None  # once this many tables have their new version

    def describe(self) -> str:
        if self.seconds is not None:
            return f"at {self.seconds:.1f} s"
        return f"once {self.table_versions} table(s) have their new version"


@dataclass(frozen=True)
class Miss:
    """A run that ended before its kill point: exit code, seconds."""

    code: int
    seconds: float


def kill_run(settings: Settings, point: KillPoint, log: Path, number: int) -> KillResult | Miss:
    """Start a run and kill it at ``point``, then check what readers find."""
    before = current_release(settings)
    started_epoch, started = time.time(), time.monotonic()
    process = start_run(settings, log)
    if point.seconds is not None:
        seconds = point.seconds
        reached = wait_for(
            process, lambda: time.monotonic() - started >= seconds, RUN_TIMEOUT_SECONDS
        )
    else:
        # counted from the job's start: the run's recovery (a RESTORE commit) is done by then
        reached = wait_for(process, lambda: _JOB_STARTED in log.read_text(), RUN_TIMEOUT_SECONDS)
        at_start = latest_version_numbers(settings)
        tables = point.table_versions or 1
        reached = reached and wait_for(
            process,
            lambda: tables_written_since(settings, at_start) >= tables,
            RUN_TIMEOUT_SECONDS,
        )
    if not reached:
        say(f"  kill {number}: the run ended (exit {process.returncode}) before {point.describe()}")
        return Miss(process.returncode or 0, round(time.monotonic() - started, 2))
    seconds = time.monotonic() - started
    killed, survivors = kill_tree(process)
    stage = stage_at_kill(settings, started_epoch)
    result = KillResult(
        kill=number,
        trigger=point.describe(),
        seconds=round(seconds, 2),
        stage=stage,
        processes_killed=killed,
        release_before=before.publication_id if before else None,
        reader_release=None,
        reader_whole=False,
        analytics_release=None,
        unreleased_latest_tables=[],
        locks_free=False,
    )
    if survivors:
        result.problems.append(f"processes alive after the kill: {survivors}")
    release, problems = reader_sees_whole_release(settings)
    result.reader_release = release.publication_id if release else None
    result.reader_whole = not problems
    result.problems += problems
    if release is not None:
        result.unreleased_latest_tables, problems = latest_versions(settings, release)
        result.problems += problems
    # a kill between an erasure purge and the file's rebuild leaves it as it was before the
    # purge: a whole release, still holding the persons being erased, until the next run starts
    result.analytics_before_purge = analytics_built_before_purge(settings)
    result.analytics_release, problems = analytics_release(
        settings, purged_since=result.analytics_before_purge
    )
    result.problems += problems
    held = locks_held(settings)
    result.locks_free = not held
    if held:
        result.problems.append(f"locks held after the kill: {held}")
    say(
        f"  kill {number} {point.describe()}: {stage}; reader sees {result.reader_release}"
        f"{' (whole)' if result.reader_whole else ''}; latest Delta version unreleased in "
        f"{len(result.unreleased_latest_tables)} table(s); analytics {result.analytics_release}"
    )
    return result


def finish_run(settings: Settings, log: Path, kills: list[KillResult]) -> None:
    """The run after a kill, uninterrupted: recovery before its job, exit 0, then a release (or
    "nothing new" when the killed run had committed its own) that every reader sees."""
    attempts = len(read_entries(settings.published))
    started = time.monotonic()
    process = start_run(settings, log)
    job_started = wait_for(process, lambda: _JOB_STARTED in log.read_text(), RUN_TIMEOUT_SECONDS)
    recovered: bool | None = None
    if job_started:
        # the job has begun, its publication is minutes away: the latest versions are released
        release = current_release(settings)
        unreleased, problems = latest_versions(settings, release) if release else ([], [])
        if release is not None:
            # analytics.duckdb too: a kill after an erasure purge left it unpurged
            held, more = analytics_release(settings)
            problems += more
            if held != release.publication_id:
                problems.append(f"analytics.duckdb holds {held}, not {release.publication_id}")
        recovered = not unreleased and not problems
        for kill in kills:
            kill.problems += [f"next run, after its recovery: {p}" for p in problems]
            if unreleased:
                kill.problems.append(
                    f"next run, after its recovery: latest version of {unreleased} is unreleased"
                )
    try:
        code = process.wait(timeout=RUN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        kill_tree(process)
        code = -1
    seconds = round(time.monotonic() - started, 2)
    judge_next_run(settings, log, code, attempts, kills, seconds, recovered)


def judge_next_run(
    settings: Settings,
    log: Path,
    code: int,
    attempts: int,
    kills: list[KillResult],
    seconds: float,
    recovered: bool | None,
) -> None:
    """What the run after ``kills`` did (exit ``code``; ``attempts``: log rows before it), and
    whether every reader, direct readers and ``analytics.duckdb`` see the current release."""
    output = log.read_text()
    entries = read_entries(settings.published)
    if code != 0:
        outcome = f"failed (exit {code})"
    elif len(entries) > attempts and entries[-1].status == STATUS_PUBLISHED:
        outcome = "published"
    elif len(entries) == attempts and "nothing new" in output:
        outcome = "nothing new"
    else:
        outcome = "no release"
    release, problems = reader_sees_whole_release(settings)
    if release is not None:
        unreleased, more = latest_versions(settings, release)
        problems += more + ([f"latest version of {unreleased} is unreleased"] if unreleased else [])
        held, more = analytics_release(settings)
        problems += more
        if held != release.publication_id:
            problems.append(
                f"analytics.duckdb holds {held}, the current release is {release.publication_id}"
            )
    held_locks = locks_held(settings)
    if held_locks:
        problems.append(f"locks held after the next run: {held_locks}")
    last = kills[-1]
    if outcome == "nothing new" and last.reader_release == last.release_before:
        problems.append("the next run found nothing new, but the killed run published nothing")
    elif outcome not in ("published", "nothing new"):
        problems.append(f"the next run did not publish: {outcome}; log {log}")
    for kill in kills:
        kill.problems += [f"next run: {p}" for p in problems]
    last.next_run = outcome
    last.next_run_seconds = seconds
    last.recovered_before_job = recovered
    last.release_after = release.publication_id if release else None
    for kill in kills[:-1]:
        kill.next_run = f"killed next (kill {kill.kill + 1})"
    say(f"  next run: {last.next_run} in {seconds:.0f} s; recovered before its job: {recovered}")


# --- the whole injection -----------------------------------------------------------------------


def plan_points(
    rng: random.Random, kills: int, run_seconds: float, publication_kills: int, chain: int
) -> list[KillPoint]:
    """Seeded kill points: uniform over the run's length, ``publication_kills`` of them inside
    publication (once 1 to 7 tables have their new version); within a chain, sorted so each run
    gets further than the one before, a publication kill last."""
    tables = len(PUBLISHED_TABLES)
    timed = [
        KillPoint(seconds=rng.uniform(0, run_seconds)) for _ in range(kills - publication_kills)
    ]
    in_publication = [
        KillPoint(table_versions=rng.randint(1, tables)) for _ in range(publication_kills)
    ]
    points = timed + in_publication
    rng.shuffle(points)
    if chain > 1:
        ordered: list[KillPoint] = []
        for start in range(0, len(points), chain):
            group = points[start : start + chain]
            group.sort(key=lambda p: (p.seconds is None, p.seconds or 0.0))
            ordered += group
        points = ordered
    return points


def inject_faults(
    settings: Settings,
    source: Path,
    kills: int,
    seed: int,
    run_seconds: float,
    logs: Path,
    *,
    publication_kills: int = 0,
    chain: int = 1,
    report: FaultReport | None = None,
    on_kill: Callable[[FaultReport], None] | None = None,
) -> FaultReport:
    """Kill runs on ``settings``' home ``kills`` times (see the module docstring). ``source``: a
    world whose days not yet landed are the new deliveries, one per killed run."""
    if kills < 1 or chain < 1 or not 0 <= publication_kills <= kills:
        raise ValueError("need kills >= 1, chain >= 1 and 0 <= publication kills <= kills")
    rng = random.Random(seed)
    report = report or FaultReport("", code_version(), "", 0, seed, run_seconds)
    points = plan_points(rng, kills, run_seconds, publication_kills, chain)
    logs.mkdir(parents=True, exist_ok=True)
    days = days_not_landed(source, settings.landing)
    pending: list[KillResult] = []  # kills whose next run has not finished yet
    attempt = 0
    while points:
        attempt += 1
        if attempt > 2 * kills + 5:
            raise FaultCheckError(f"only {len(report.kills)} kills in {attempt - 1} attempts")
        if not pending:  # a chain begins: something new to publish
            if not days:
                raise FaultCheckError("the world has no day left to land; generate more days")
            link_batches(source, settings.landing, days.pop(0))
        number = len(report.kills) + 1
        log = logs / f"kill-{number}-attempt-{attempt}.log"
        attempts = len(read_entries(settings.published))
        say(f"kill {number} of {kills}: a run, to be killed {points[0].describe()} ...")
        result = kill_run(settings, points[0], log, number)
        if isinstance(result, Miss):
            report.misses += 1
            if points[0].seconds is not None:  # the run was short: draw again within it
                points[0] = KillPoint(seconds=rng.uniform(0, points[0].seconds * 0.9))
            if pending:  # that run finished what the chain's kills left: it was their next run
                judge_next_run(settings, log, result.code, attempts, pending, result.seconds, None)
                pending = []
            continue
        points.pop(0)
        report.kills.append(result)
        pending.append(result)
        if len(pending) >= chain or not points:
            with running(f"the run after kill {number}, uninterrupted"):
                finish_run(settings, logs / f"after-kill-{number}.log", pending)
            pending = []
        if on_kill is not None:
            on_kill(report)
    return report


# --- the command --------------------------------------------------------------------------------


def print_report(report: FaultReport) -> None:
    world = f"{report.persons:,} persons, " if report.persons else ""
    print(
        f"\n{len(report.kills)} kills ({report.misses} runs ended before their kill point), "
        f"{world}seed {report.seed}, kill points over {report.run_seconds:.0f} s (an "
        "uninterrupted run)"
    )
    print(
        "| # | kill | stage | killed | reader after kill | latest Delta unreleased | "
        "analytics | locks | next run | next run s | checks |"
    )
    print("|---:|---|---|---:|---|---:|---|---|---|---:|---|")
    for k in report.kills:
        reader = ("same release" if k.reader_release == k.release_before else "new release") + (
            ", whole" if k.reader_whole else ", NOT whole"
        )
        analytics = "current" if k.analytics_release == k.reader_release else "previous release"
        if k.analytics_before_purge:
            analytics += ", before the purge"
        print(
            f"| {k.kill} | {k.trigger} | {k.stage} | {k.processes_killed} | {reader} | "
            f"{len(k.unreleased_latest_tables)} | {analytics} | "
            f"{'free' if k.locks_free else 'HELD'} | {k.next_run} | "
            f"{k.next_run_seconds if k.next_run_seconds is not None else ''} | "
            f"{'passed' if k.passed else 'FAILED: ' + '; '.join(k.problems)} |"
        )
    stages: dict[str, int] = {}
    for k in report.kills:
        stage = k.stage.split(" (")[0]
        stages[stage] = stages.get(stage, 0) + 1
    print(f"kills per stage: {', '.join(f'{s} {n}' for s, n in sorted(stages.items()))}")
    print(f"result: {'every check passed' if report.passed else 'FAILED'}", flush=True)


def run_fault_benchmark(
    kills: int,
    persons: int,
    seed: int,
    work: Path,
    reuse: bool,
    publication_kills: int,
    chain: int,
    out: Path | None,
) -> FaultReport:
    if persons < 1:
        raise ValueError("persons must be at least 1")
    work.mkdir(parents=True, exist_ok=True)
    out = out or work / "faults-results.json"
    # a day per killed run and the first day, with room for runs that end before their point
    world = ensure_world(work, persons, seed, 2 * kills + 2, reuse)
    source = world / "landing"
    landing, home, logs = work / "landing", work / "home", work / "logs"
    for folder in (landing, home, logs):
        shutil.rmtree(folder, ignore_errors=True)
    logs.mkdir(parents=True)
    settings = Settings(landing=landing, home=home, memory_limit=load_settings().memory_limit)

    link_batches(source, landing, delivery_days(source)[0])
    started = time.monotonic()
    with running("the first day, uninterrupted: the measured length of a run"):
        first = start_run(settings, logs / "first.log")
        if first.wait(timeout=RUN_TIMEOUT_SECONDS) != 0:
            raise SystemExit(f"the first run failed (log: {logs / 'first.log'})")
    run_seconds = time.monotonic() - started
    say(f"an uninterrupted run: {run_seconds:.1f} s")

    report = FaultReport(
        command="customer-truth benchmark faults " + " ".join(sys.argv[3:]),
        code_version=code_version(),
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
        persons=persons,
        seed=seed,
        run_seconds=round(run_seconds, 2),
    )

    def save(partial: FaultReport) -> None:  # after every kill: a long run keeps its results
        out.write_text(json.dumps({**asdict(partial), "passed": partial.passed}, indent=2))

    inject_faults(settings, source, kills, seed, run_seconds, logs,
                  publication_kills=publication_kills, chain=chain, report=report,
                  on_kill=save)  # fmt: skip
    save(report)
    print_report(report)
    say(f"results: {out}")
    return report
