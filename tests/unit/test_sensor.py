"""Nothing new, nothing done: the landing sensor and the daily schedule ask for a run exactly when
a complete batch lands that no publication attempt has seen (or, for the schedule, the code
changed); a home whose last attempt covers the landing zone starts nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import dagster as dg
import pytest

from customer_truth.code_version import code_version
from customer_truth.pending import pending_work
from customer_truth.publication.log import STATUS_BLOCKED, STATUS_PUBLISHED, LogEntry, write_entry
from customer_truth.settings import load_settings
from dagster_project.ingest.sensors import new_landing_batches_sensor
from dagster_project.orchestration.schedules import daily_customer_truth_schedule
from tests.landing_builder import CHARGE, jsonl, write_batch


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CUSTOMER_TRUTH_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(tmp_path / "home"))
    return tmp_path


def _tick(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(cursor=cursor)
    # the decorated sensor is typed as any sensor's result; this one returns only these two
    return cast(dg.SensorResult | dg.SkipReason, new_landing_batches_sensor(context))


def _schedule_tick() -> dg.RunRequest | dg.SkipReason:
    context = dg.build_schedule_context(scheduled_execution_time=datetime.now(UTC))
    # the decorated schedule is typed as any schedule's result; this one returns only these two
    return cast(dg.RunRequest | dg.SkipReason, daily_customer_truth_schedule(context))


def _attempt(batches: list[str], status: str = STATUS_PUBLISHED, code: str | None = None) -> None:
    """Record a publication attempt built from ``batches``, as the publisher or gate would."""
    now = datetime.now(UTC)
    entry = LogEntry(
        publication_id=f"run-{len(batches)}-{status}",
        started_at=now,
        status=status,
        published_at=now if status == STATUS_PUBLISHED else None,
        landing_batches=batches,
        code_version=code or code_version(),
    )
    write_entry(load_settings().published, entry)


def test_sensor_requests_a_run_for_new_batches_and_skips_when_nothing_changed(home: Path) -> None:
    landing = home / "landing"
    assert isinstance(_tick(None), dg.SkipReason)  # an empty landing zone is no news
    write_batch(landing, "billing", "20260301T000000Z", {"charges.jsonl": jsonl(CHARGE)})
    first = _tick(None)
    assert isinstance(first, dg.SensorResult) and first.run_requests is not None
    assert len(first.run_requests) == 1
    assert isinstance(_tick(first.cursor), dg.SkipReason)
    # a batch still being written is not news
    write_batch(landing, "billing", "20260302T000000Z", {"charges.jsonl": b""}, complete=False)
    assert isinstance(_tick(first.cursor), dg.SkipReason)
    write_batch(landing, "billing", "20260302T000000Z", {"charges.jsonl": b""})
    second = _tick(first.cursor)
    assert isinstance(second, dg.SensorResult) and second.run_requests is not None
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_a_new_sensor_on_a_home_whose_last_release_saw_every_batch_starts_no_run(
    home: Path,
) -> None:
    landing = home / "landing"
    write_batch(landing, "billing", "20260301T000000Z", {"charges.jsonl": jsonl(CHARGE)})
    write_batch(landing, "crm", "20260301T000000Z", {"accounts.csv": b"Id\n"})
    _attempt(["billing/20260301T000000Z", "crm/20260301T000000Z"])

    fresh = _tick(None)  # the UI starts: the sensor's cursor is empty
    assert isinstance(fresh, dg.SensorResult)
    assert not fresh.run_requests
    assert fresh.cursor  # it now reflects what the release already holds
    assert "nothing new" in str(fresh.skip_reason)
    assert isinstance(_tick(fresh.cursor), dg.SkipReason)

    write_batch(landing, "billing", "20260302T000000Z", {"charges.jsonl": jsonl(CHARGE)})
    news = _tick(fresh.cursor)
    assert isinstance(news, dg.SensorResult) and news.run_requests is not None
    assert len(news.run_requests) == 1
    assert pending_work(load_settings()).new_batches == ["billing/20260302T000000Z"]


def test_a_blocked_attempt_covers_its_batches_too(home: Path) -> None:
    """Running the same data through the same gate again would block again: no run."""
    write_batch(home / "landing", "billing", "20260301T000000Z", {"charges.jsonl": b""})
    _attempt(["billing/20260301T000000Z"], status=STATUS_BLOCKED)
    assert isinstance(_schedule_tick(), dg.SkipReason)
    fresh = _tick(None)
    assert isinstance(fresh, dg.SensorResult) and not fresh.run_requests


def test_the_daily_schedule_runs_only_when_something_is_new(home: Path) -> None:
    landing = home / "landing"
    write_batch(landing, "billing", "20260301T000000Z", {"charges.jsonl": jsonl(CHARGE)})
    first = _schedule_tick()  # no attempt yet: a first run
    assert isinstance(first, dg.RunRequest)

    _attempt(["billing/20260301T000000Z"])
    skipped = _schedule_tick()
    assert isinstance(skipped, dg.SkipReason)
    assert "nothing new" in str(skipped.skip_message)

    write_batch(landing, "billing", "20260302T000000Z", {"charges.jsonl": jsonl(CHARGE)})
    assert isinstance(_schedule_tick(), dg.RunRequest)


def test_a_changed_code_version_needs_a_run_even_without_new_batches(home: Path) -> None:
    write_batch(home / "landing", "billing", "20260301T000000Z", {"charges.jsonl": b""})
    _attempt(["billing/20260301T000000Z"], code="git:000000000000")
    pending = pending_work(load_settings())
    assert pending.anything and pending.code_changed and not pending.new_batches
    assert "full rebuild" in pending.reason()
    assert isinstance(_schedule_tick(), dg.RunRequest)
    # the sensor answers landing news only: a code change is the schedule's (or a person's) call
    fresh = _tick(None)
    assert isinstance(fresh, dg.SensorResult) and not fresh.run_requests
