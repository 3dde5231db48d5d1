"""Gate suites on small frames: what the timeline mart may hold that the published table may
not, and presence rates held to the current release rather than to a fixed share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from customer_truth.quality.gate import GateContext, presence_floor, run_suite
from customer_truth.settings import Settings
from data_quality.bdg_identity_crosswalk import SUITE as CROSSWALK_SUITE
from data_quality.bdg_identity_crosswalk import crosswalk_query
from data_quality.fct_customer_timeline import SUITE as MART_SUITE
from data_quality.publish.customer_timeline import SUITE as PUBLISHED_SUITE
from data_quality.record_customer_ids import SUITE as IDENTITY_SUITE
from data_quality.stg_crm__contacts import SUITE as CRM_SUITE


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


def _contacts(with_email: int, without: int) -> pd.DataFrame:
    n = with_email + without
    return pd.DataFrame(
        {
            "crm_contact_id": [f"003{i:015d}" for i in range(n)],
            "email": [f"p{i}@example.org" for i in range(with_email)] + [None] * without,
            "email_normalized": [f"p{i}@example.org" for i in range(with_email)] + [None] * without,
            "is_deleted": [False] * n,
        }
    )


def test_a_suite_stores_the_presence_share_of_the_columns_it_tracks(settings: Settings) -> None:
    result = run_suite(CRM_SUITE, _contacts(9, 1), settings, GateContext())
    assert result.metrics == {"email_present": 0.9}
    assert result.as_dict()["metrics"] == {"email_present": 0.9}


def test_presence_is_held_to_the_current_release_not_to_a_fixed_share(
    settings: Settings,
) -> None:
    half_blanked = _contacts(45, 55)  # an export that lost half of its emails
    # a first release only has to clear the floor: sources differ in how complete they are
    assert run_suite(CRM_SUITE, half_blanked, settings, GateContext()).success
    # against a release that had 90%, the drop blocks
    previous = GateContext(previous_metrics={"stg_crm__contacts": {"email_present": 0.9}})
    result = run_suite(CRM_SUITE, half_blanked, settings, previous)
    assert _failed(result) == {("expect_column_values_to_not_be_null", "email")}
    # an enterprise whose CRM always had 50% passes against its own history
    steady = GateContext(previous_metrics={"stg_crm__contacts": {"email_present": 0.5}})
    assert run_suite(CRM_SUITE, half_blanked, settings, steady).success


def test_the_presence_floor_never_falls_below_its_floor() -> None:
    gate = GateContext(previous_metrics={"s": {"email_present": 0.25}})
    assert presence_floor(gate, "s", "email", floor=0.2, max_drop=0.15) == 0.2
    assert presence_floor(gate, "s", "phone", floor=0.2, max_drop=0.15) == 0.2
    assert presence_floor(GateContext(), "s", "email", floor=0.1, max_drop=0.15) == 0.1
    high = GateContext(previous_metrics={"s": {"email_present": 0.9}})
    assert presence_floor(high, "s", "email", floor=0.2, max_drop=0.15) == 0.75


def _identity_frame(records: list[tuple[str, str]]) -> pd.DataFrame:
    """The record_customer_ids suite's own query over (record_uid, customer_id) rows."""
    con = duckdb.connect()
    con.execute("create schema identity")
    con.execute(
        "create table identity.record_customer_ids (record_uid varchar, customer_id varchar)"
    )
    con.executemany("insert into identity.record_customer_ids values (?, ?)", records)
    return con.sql(IDENTITY_SUITE.query).df()


def test_a_frequent_visitors_many_digital_ids_are_no_over_merge(settings: Settings) -> None:
    people = [(f"crm:contacts:{i}", f"ct_{i}") for i in range(20)]
    people += [(f"commerce:customers:{i}", f"ct_{i}") for i in range(20)]
    loners = [(f"billing:customers:{i}", f"ct_b{i}") for i in range(20)]
    cookies = [(f"digital:anonymous_id:a{i}", "ct_0") for i in range(60)]
    frame = _identity_frame(people + loners + cookies)
    result = run_suite(IDENTITY_SUITE, frame, settings, GateContext())
    assert result.success, result.failed_expectations


def test_a_customer_holding_dozens_of_account_records_fails_identity_health(
    settings: Settings,
) -> None:
    people = [(f"crm:contacts:{i}", f"ct_{i}") for i in range(20)]
    people += [(f"commerce:customers:{i}", f"ct_{i}") for i in range(20)]
    chained = [(f"support:users:{i}", "ct_0") for i in range(40)]
    result = run_suite(IDENTITY_SUITE, _identity_frame(people + chained), settings, GateContext())
    assert ("expect_column_values_to_be_between", "cluster_size") in _failed(result)


def test_the_crosswalk_mean_ignores_a_visitors_many_digital_ids(settings: Settings) -> None:
    rows = [("crm", "contacts", f"c{i}", f"ct_{i}") for i in range(30)]
    rows += [("commerce", "customers", f"s{i}", f"ct_{i}") for i in range(30)]
    rows += [("billing", "customers", f"b{i}", f"ct_b{i}") for i in range(10)]
    rows += [("digital", "anonymous_id", f"a{i}", "ct_0") for i in range(300)]
    con = duckdb.connect()
    con.execute(
        "create table crosswalk (source_system text, source_entity text, source_record_id text, "
        "customer_id text, match_rule text, match_score double)"
    )
    con.executemany("insert into crosswalk values (?, ?, ?, ?, 'deterministic:test', null)", rows)
    frame = con.sql(crosswalk_query("crosswalk")).df()
    result = run_suite(CROSSWALK_SUITE, frame, settings, GateContext())
    assert result.success, result.failed_expectations


def test_the_context_suite_fails_a_missing_bundle_or_brief_without_loading_their_text(
    settings: Settings,
) -> None:
    from data_quality.publish.customer_context import SUITE as CONTEXT_SUITE

    con = duckdb.connect()
    con.execute("create schema publish")
    con.execute(
        "create table publish.customer_context as select * from (values "
        "('C1', '{\"customer_id\": \"C1\"}'::json, 'Customer C1: two open orders, no tickets.'), "
        "('C2', null, 'Customer C2: one open ticket about order #1002.'), "
        "('C3', '{\"customer_id\": \"C3\"}'::json, 'C3'), "
        "('C4', '{\"customer_id\": \"C4\"}'::json, null)"
        ") as t(customer_id, context, context_text)"
    )
    frame = con.sql(CONTEXT_SUITE.query).df()
    # what reaches Python is numbers: no bundle or brief is held in memory by the gate
    assert not any(frame[c].dtype == object or str(frame[c].dtype) == "str"
                   for c in frame.columns if c != "customer_id")  # fmt: skip
    result = run_suite(CONTEXT_SUITE, frame, settings, GateContext())
    assert not result.success
    assert _failed(result) == {
        ("expect_column_values_to_not_be_null", "context_length"),
        ("expect_column_values_to_not_be_null", "context_text_length"),
        ("expect_column_values_to_be_between", "context_text_length"),
    }
    whole = frame[frame.customer_id == "C1"]
    assert run_suite(CONTEXT_SUITE, whole, settings, GateContext()).success
