"""The timeline suites on small frames: what the mart may hold that the published table may not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from customer_truth.quality.gate import GateContext, run_suite
from customer_truth.settings import Settings
from data_quality.fct_customer_timeline import SUITE as MART_SUITE
from data_quality.publish.customer_timeline import SUITE as PUBLISHED_SUITE


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(landing=tmp_path / "landing", home=tmp_path / "home")


def _events(customers: list[str | None], reasons: list[str | None]) -> pd.DataFrame:
    when = datetime.now(UTC) - timedelta(days=1)
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(customers))],
            "customer_id": customers,
            "occurred_at": [when] * len(customers),
            "event_type": ["contact"] * len(customers),
            "source_system": ["contact_center"] * len(customers),
            "age_days": [1] * len(customers),
            "reason_matches_attribution": [
                (c is None) == (r is not None) for c, r in zip(customers, reasons, strict=True)
            ],
        }
    )


def _failed(result: object) -> set[tuple[str, str | None]]:
    return {
        (f["expectation"], f["kwargs"].get("column"))
        for f in result.failed_expectations  # type: ignore[attr-defined]
    }


def test_the_mart_keeps_unattributed_events_that_say_why(settings: Settings) -> None:
    frame = _events(["C1", "C1", "C2", None], [None, None, None, "no_identifier"])
    result = run_suite(MART_SUITE, frame, settings, GateContext())
    assert result.success, result.failed_expectations


def test_the_mart_fails_an_unattributed_event_without_a_reason(settings: Settings) -> None:
    frame = _events(["C1", "C1", "C2", None], [None, None, None, None])
    result = run_suite(MART_SUITE, frame, settings, GateContext())
    assert not result.success
    assert _failed(result) == {("expect_column_values_to_be_in_set", "reason_matches_attribution")}


def test_the_mart_fails_when_most_events_reach_no_customer(settings: Settings) -> None:
    frame = _events(["C1", None, None, None], [None, "a", "a", "a"])
    result = run_suite(MART_SUITE, frame, settings, GateContext())
    assert _failed(result) == {("expect_column_values_to_not_be_null", "customer_id")}


def test_the_published_timeline_holds_only_attributed_events(settings: Settings) -> None:
    attributed = _events(["C1", "C2"], [None, None]).drop(columns="reason_matches_attribution")
    assert run_suite(PUBLISHED_SUITE, attributed, settings, GateContext()).success
    one_anonymous = _events(["C1", "C2", "C2", None], [None, None, None, "no_identifier"])
    result = run_suite(
        PUBLISHED_SUITE,
        one_anonymous.drop(columns="reason_matches_attribution"),
        settings,
        GateContext(),
    )
    assert _failed(result) == {("expect_column_values_to_not_be_null", "customer_id")}
