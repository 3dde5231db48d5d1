"""The landing sensor asks for a run exactly when a new complete batch lands."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from dagster_project.ingest.sensors import new_landing_batches_sensor
from tests.landing_builder import CHARGE, jsonl, write_batch


def _tick(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(cursor=cursor)
    return new_landing_batches_sensor(context)


def test_sensor_requests_a_run_for_new_batches_and_skips_when_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUSTOMER_TRUTH_LANDING", str(tmp_path))
    assert isinstance(_tick(None), dg.SkipReason)  # an empty landing zone is no news
    write_batch(tmp_path, "billing", "20260301T000000Z", {"charges.jsonl": jsonl(CHARGE)})
    first = _tick(None)
    assert isinstance(first, dg.SensorResult) and len(first.run_requests) == 1
    assert isinstance(_tick(first.cursor), dg.SkipReason)
    # a batch still being written is not news
    write_batch(tmp_path, "billing", "20260302T000000Z", {"charges.jsonl": b""}, complete=False)
    assert isinstance(_tick(first.cursor), dg.SkipReason)
    write_batch(tmp_path, "billing", "20260302T000000Z", {"charges.jsonl": b""})
    second = _tick(first.cursor)
    assert isinstance(second, dg.SensorResult)
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
