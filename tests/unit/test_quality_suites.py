"""Gate suites on small frames: what the timeline mart may hold that the published table may
not, presence rates held to the current release rather than to a fixed share, and every gated
suite failing on data that breaks what it promises (``FAILING_CASES``)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from customer_truth.quality.gate import (
    GateContext,
    GateSuite,
    presence_floor,
    read_frame,
    run_suite,
)
from customer_truth.settings import Settings
from data_quality import SUITES
from data_quality.bdg_identifier_lookup import SUITE as LOOKUP_SUITE
from data_quality.bdg_identity_crosswalk import SUITE as CROSSWALK_SUITE
from data_quality.bdg_identity_crosswalk import crosswalk_query
from data_quality.dim_customer_profile import SUITE as PROFILE_SUITE
from data_quality.fct_customer_timeline import SUITE as MART_SUITE
from data_quality.publish.customer_context import SUITE as CONTEXT_SUITE
from data_quality.publish.customer_profile import SUITE as PUBLISHED_PROFILE_SUITE
from data_quality.publish.customer_timeline import SUITE as PUBLISHED_SUITE
from data_quality.publish.identifier_lookup import SUITE as PUBLISHED_LOOKUP_SUITE
from data_quality.publish.identity_crosswalk import SUITE as PUBLISHED_CROSSWALK_SUITE
from data_quality.publish.proactive_signals import SUITE as SIGNALS_SUITE
from data_quality.raw__crm__contacts import SUITE as RAW_SUITE
from data_quality.record_customer_ids import SUITE as IDENTITY_SUITE
from data_quality.stg_crm__contacts import SUITE as CRM_SUITE


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(landing=tmp_path / "landing", home=tmp_path / "home")


def _events(customers: list[str | None], reasons: list[str | None]) -> pd.DataFrame:
    when = datetime.now(UTC) - timedelta(days=1)
    return pd.DataFrame(
        {
            "event_id_rank": list(range(1, len(customers) + 1)),
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


def test_the_gate_reads_a_frame_typed_as_duckdb_types_it() -> None:
    """The gate reads its frames through Arrow (bounded memory: ``read_frame``), typed as
    DuckDB's ``.df()`` types them: a decimal is a float GX can average, and integers and
    booleans keep their nulls rather than turning into floats or objects."""
    con = duckdb.connect()
    frame = read_frame(
        con,
        "select * from (values (1.0, 3, true, 'a', 1::int), (0.0, null, null, null, 2::int)) "
        "as t(linked, size, opted_in, name, rank)",
    )
    assert frame["linked"].dtype == "float64"
    assert frame["linked"].mean() == 0.5
    assert str(frame["size"].dtype) == "Int64"
    assert frame["size"].isna().tolist() == [False, True]
    # without a null, an integer column is numpy's, which GX compares vectorised
    assert frame["rank"].dtype == "int64" and frame["rank"].tolist() == [1, 2]
    assert str(frame["opted_in"].dtype) == "boolean"
    assert frame["opted_in"].isna().tolist() == [False, True]
    assert frame["name"].isna().tolist() == [False, True]


def _identity_frame(records: list[tuple[str, str]]) -> pd.DataFrame:
    """The record_customer_ids suite's own query over (record_uid, customer_id) rows."""
    con = duckdb.connect()
    con.execute("create schema identity")
    con.execute(
        "create table identity.record_customer_ids (record_uid varchar, customer_id varchar)"
    )
    con.executemany("insert into identity.record_customer_ids values (?, ?)", records)
    return read_frame(con, IDENTITY_SUITE.query)


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
    frame = read_frame(con, crosswalk_query("crosswalk"))
    result = run_suite(CROSSWALK_SUITE, frame, settings, GateContext())
    assert result.success, result.failed_expectations


def test_the_context_suite_fails_a_missing_bundle_or_brief_without_loading_their_text(
    settings: Settings,
) -> None:
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
    frame = read_frame(con, CONTEXT_SUITE.query)
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


# --- every gated suite fails on data that breaks what it promises ---------------------------
#
# One case per suite at least: a small, healthy warehouse (the relations the suite's query
# reads), which the suite must pass, and one concrete corruption of it, which the suite must
# fail with exactly the expectations named. The frame is the suite's own query over those
# relations, so a query that hides a defect from its expectations fails here too.

Tables = dict[str, pd.DataFrame]
AS_OF = datetime(2026, 3, 1, 6, tzinfo=UTC)


@dataclass(frozen=True)
class FailingCase:
    id: str  # the suite's name, then what breaks
    suite: GateSuite
    good: Callable[[], Tables]  # relation -> rows, each call a fresh copy
    corrupt: Callable[[Tables], None]  # breaks the good tables in place
    fails: set[tuple[str, str | None]]  # (expectation type, column) that must fail

    def warehouse(self, *, corrupted: bool) -> Tables:
        tables = self.good()
        if corrupted:
            self.corrupt(tables)
        return tables


def _suite_frame(suite: GateSuite, tables: Tables) -> pd.DataFrame:
    """The suite's own query over an in-memory warehouse holding ``tables``."""
    assert set(suite.requires) <= set(tables), suite.requires
    con = duckdb.connect()
    for relation, rows in tables.items():
        con.execute(f"create schema if not exists {relation.split('.')[0]}")
        con.from_df(rows).create(relation)
    return read_frame(con, suite.query)


def _duplicate_row(relation: str, row: int = 0) -> Callable[[Tables], None]:
    def corrupt(tables: Tables) -> None:
        frame = tables[relation]
        tables[relation] = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)

    return corrupt


def _set_cell(relation: str, row: int, column: str, value: object) -> Callable[[Tables], None]:
    def corrupt(tables: Tables) -> None:
        frame = tables[relation]
        frame[column] = frame[column].astype(object)  # a null or another type may go in
        frame.at[row, column] = value

    return corrupt


def _same_key(relation: str, column: str) -> Callable[[Tables], None]:
    """The second row takes the first one's key: two rows under one key."""

    def corrupt(tables: Tables) -> None:
        frame = tables[relation]
        frame.at[1, column] = frame.at[0, column]

    return corrupt


def _raw_contacts() -> Tables:
    return {
        "raw.crm__contacts": pd.DataFrame(
            {
                "record_key": ["k1", "k2", "k3"],
                "batch_id": ["b1"] * 3,
                "source_file": ["contacts.csv"] * 3,
                "line_number": [1, 2, 3],
                "payload": ['{"Id": "1"}', '{"Id": "2"}', '{"Id": "3"}'],
            }
        )
    }


def _staged_contacts() -> Tables:
    return {"staging.stg_crm__contacts": _contacts(9, 1)}


def _record_ids() -> Tables:
    people = [(f"crm:contacts:{i}", f"ct_{i}") for i in range(10)]
    people += [(f"commerce:customers:{i}", f"ct_{i}") for i in range(10)]
    loners = [(f"billing:customers:{i}", f"ct_b{i}") for i in range(5)]
    rows = pd.DataFrame(people + loners, columns=["record_uid", "customer_id"])
    return {"identity.record_customer_ids": rows}


def _unlink_every_record(tables: Tables) -> None:
    """The matcher stopped linking: every record is a customer of its own."""
    rows = tables["identity.record_customer_ids"]
    rows["customer_id"] = "ct_" + rows["record_uid"]


def _profiles(relation: str) -> Callable[[], Tables]:
    def good() -> Tables:
        return {
            relation: pd.DataFrame(
                {
                    "customer_id": ["ct_1", "ct_2", "ct_3", "ct_4"],
                    "email": ["ann@example.org", "bob@example.com", None, "dee@example.net"],
                    "phone": ["+447700900123", "+14155550100", "+33612345678", None],
                    "country": ["GB", "US", "FR", None],
                    "email_opt_in": [True, False, False, True],
                    "birth_date": [date(1980, 5, 1), date(1991, 2, 3), None, date(1965, 12, 24)],
                }
            )
        }

    return good


def _crosswalk(relation: str) -> Callable[[], Tables]:
    def good() -> Tables:
        rows: list[tuple[str, str, str, str, str, float | None]] = [
            ("crm", "contacts", f"003{i}", f"ct_{i}", "deterministic:email", None) for i in range(4)
        ]
        rows += [("commerce", "customers", f"s{i}", f"ct_{i}", "model", 0.93) for i in range(4)]
        rows += [("digital", "anonymous_id", "a1", "ct_1", "deterministic:login", None)]
        columns = ["source_system", "source_entity", "source_record_id", "customer_id"]
        return {relation: pd.DataFrame(rows, columns=[*columns, "match_rule", "match_score"])}

    return good


def _lookup(relation: str) -> Callable[[], Tables]:
    def good() -> Tables:
        rows = [
            ("email", "ann@example.org", "ct_1"),
            ("email", "ann.work@example.com", "ct_1"),
            ("phone", "+447700900123", "ct_1"),
            ("crm_contact_id", "0031", "ct_1"),
            ("email", "bob@example.com", "ct_2"),
            ("order_name", "1001", "ct_2"),
        ]
        columns = ["identifier_type", "identifier_value", "customer_id"]
        return {relation: pd.DataFrame(rows, columns=columns)}

    return good


def _timeline(relation: str, *, attributed_only: bool) -> Callable[[], Tables]:
    def good() -> Tables:
        customers = ["ct_1", "ct_1", "ct_2"] + ([] if attributed_only else [None])
        reasons = [None, None, None] + ([] if attributed_only else ["no_identifier"])
        n = len(customers)
        return {
            relation: pd.DataFrame(
                {
                    "event_id": [f"e{i}" for i in range(n)],
                    "customer_id": customers,
                    "occurred_at": [AS_OF - timedelta(days=i + 1) for i in range(n)],
                    "event_type": ["order_placed", "ticket_opened", "contact", "page_view"][:n],
                    "source_system": ["commerce", "support", "contact_center", "digital"][:n],
                    "unattributed_reason": reasons,
                }
            ),
            "intermediate.int_journeys__as_of": pd.DataFrame({"as_of": [AS_OF]}),
        }

    return good


def _signals() -> Tables:
    return {
        "publish.proactive_signals": pd.DataFrame(
            {
                "signal_id": ["sg1", "sg2", "sg3"],
                "customer_id": ["ct_1", "ct_1", "ct_2"],
                "signal_type": ["repeat_contact", "delivery_delayed", "payment_failed"],
                "detected_at": [AS_OF] * 3,
                "evidence": ['[{"source_system": "support", "source_record_id": "t1"}]'] * 3,
            }
        )
    }


def _contexts() -> Tables:
    return {
        "publish.customer_context": pd.DataFrame(
            {
                "customer_id": ["ct_1", "ct_2"],
                "context": ['{"customer_id": "ct_1"}', '{"customer_id": "ct_2"}'],
                "context_text": [
                    "Customer ct_1: two open orders, no tickets.",
                    "Customer ct_2: one open ticket about order #1002.",
                ],
            }
        )
    }


NOT_NULL = "expect_column_values_to_not_be_null"
UNIQUE = "expect_column_values_to_be_unique"
COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"
IN_SET = "expect_column_values_to_be_in_set"
REGEX = "expect_column_values_to_match_regex"
BETWEEN = "expect_column_values_to_be_between"
MEAN_BETWEEN = "expect_column_mean_to_be_between"

FAILING_CASES = [
    FailingCase(
        id="raw__crm__contacts-a-line-loaded-twice",
        suite=RAW_SUITE,
        good=_raw_contacts,
        corrupt=_duplicate_row("raw.crm__contacts"),
        fails={(COMPOUND_UNIQUE, None)},
    ),
    FailingCase(
        id="raw__crm__contacts-a-line-without-its-payload",
        suite=RAW_SUITE,
        good=_raw_contacts,
        corrupt=_set_cell("raw.crm__contacts", 1, "payload", None),
        fails={(IN_SET, "payload")},
    ),
    FailingCase(
        id="stg_crm__contacts-a-contact-id-twice",
        suite=CRM_SUITE,
        good=_staged_contacts,
        corrupt=_same_key("staging.stg_crm__contacts", "crm_contact_id"),
        fails={(UNIQUE, "crm_contact_id")},
    ),
    FailingCase(
        id="record_customer_ids-no-record-linked",
        suite=IDENTITY_SUITE,
        good=_record_ids,
        corrupt=_unlink_every_record,
        fails={(MEAN_BETWEEN, "is_linked")},
    ),
    FailingCase(
        id="dim_customer_profile-a-customer-twice",
        suite=PROFILE_SUITE,
        good=_profiles("marts.dim_customer_profile"),
        corrupt=_same_key("marts.dim_customer_profile", "customer_id"),
        fails={(UNIQUE, "customer_id")},
    ),
    FailingCase(
        id="dim_customer_profile-a-consent-without-a-statement",
        suite=PROFILE_SUITE,
        good=_profiles("marts.dim_customer_profile"),
        corrupt=_set_cell("marts.dim_customer_profile", 2, "email_opt_in", None),
        fails={(NOT_NULL, "email_opt_in")},
    ),
    FailingCase(
        id="bdg_identity_crosswalk-a-source-record-twice",
        suite=CROSSWALK_SUITE,
        good=_crosswalk("marts.bdg_identity_crosswalk"),
        corrupt=_duplicate_row("marts.bdg_identity_crosswalk"),
        fails={(COMPOUND_UNIQUE, None)},
    ),
    FailingCase(
        id="bdg_identifier_lookup-an-email-not-normalised",
        suite=LOOKUP_SUITE,
        good=_lookup("marts.bdg_identifier_lookup"),
        corrupt=_set_cell("marts.bdg_identifier_lookup", 4, "identifier_value", "Bob@Example.com"),
        fails={(REGEX, "email_value")},
    ),
    FailingCase(
        id="fct_customer_timeline-an-event-twice",
        suite=MART_SUITE,
        good=_timeline("marts.fct_customer_timeline", attributed_only=False),
        corrupt=_duplicate_row("marts.fct_customer_timeline"),
        fails={(UNIQUE, "event_id_rank")},
    ),
    FailingCase(
        # the suite checks the ids through their dense rank, null exactly where the id is
        id="customer_timeline-an-event-without-an-id",
        suite=PUBLISHED_SUITE,
        good=_timeline("publish.customer_timeline", attributed_only=True),
        corrupt=_set_cell("publish.customer_timeline", 1, "event_id", None),
        fails={(NOT_NULL, "event_id_rank")},
    ),
    FailingCase(
        id="customer_profile-a-phone-not-e164",
        suite=PUBLISHED_PROFILE_SUITE,
        good=_profiles("publish.customer_profile"),
        corrupt=_set_cell("publish.customer_profile", 0, "phone", "07700 900123"),
        fails={(REGEX, "phone")},
    ),
    FailingCase(
        id="identity_crosswalk-a-score-above-one",
        suite=PUBLISHED_CROSSWALK_SUITE,
        good=_crosswalk("publish.identity_crosswalk"),
        corrupt=_set_cell("publish.identity_crosswalk", 4, "match_score", 1.7),
        fails={(BETWEEN, "match_score")},
    ),
    FailingCase(
        id="identifier_lookup-an-unknown-identifier-type",
        suite=PUBLISHED_LOOKUP_SUITE,
        good=_lookup("publish.identifier_lookup"),
        corrupt=_set_cell("publish.identifier_lookup", 3, "identifier_type", "loyalty_card"),
        fails={(IN_SET, "identifier_type")},
    ),
    FailingCase(
        id="customer_timeline-an-event-in-1970",
        suite=PUBLISHED_SUITE,
        good=_timeline("publish.customer_timeline", attributed_only=True),
        # epoch seconds read as milliseconds: the event lands in January 1970
        corrupt=_set_cell(
            "publish.customer_timeline", 0, "occurred_at", datetime(1970, 1, 21, tzinfo=UTC)
        ),
        fails={(BETWEEN, "age_days")},
    ),
    FailingCase(
        id="proactive_signals-a-signal-without-evidence",
        suite=SIGNALS_SUITE,
        good=_signals,
        corrupt=_set_cell("publish.proactive_signals", 2, "evidence", None),
        fails={(NOT_NULL, "evidence")},
    ),
    FailingCase(
        id="customer_context-a-customer-twice",
        suite=CONTEXT_SUITE,
        good=_contexts,
        corrupt=_duplicate_row("publish.customer_context", 1),
        fails={(UNIQUE, "customer_id")},
    ),
]


@pytest.mark.parametrize("case", FAILING_CASES, ids=lambda case: case.id)
def test_a_gated_suite_passes_good_data_and_fails_what_breaks_its_promise(
    case: FailingCase, settings: Settings
) -> None:
    good = _suite_frame(case.suite, case.warehouse(corrupted=False))
    passed = run_suite(case.suite, good, settings, GateContext())
    assert passed.success, passed.failed_expectations

    bad = _suite_frame(case.suite, case.warehouse(corrupted=True))
    result = run_suite(case.suite, bad, settings, GateContext())
    assert not result.success
    assert _failed(result) == case.fails


def test_every_gated_suite_has_a_failing_data_case() -> None:
    """A suite added to the gate (or to ``data_quality.SUITES``) without a case above fails."""
    from dagster_project.definitions import defs
    from dagster_project.quality.checks import gate_suites

    asset_keys = set(defs.get_repository_def().asset_graph.get_all_asset_keys())
    gated = {suite.name for suite in gate_suites(asset_keys)}
    covered = {case.suite.name for case in FAILING_CASES}
    assert gated, "the gate runs no suite: the definitions did not load their assets"
    assert sorted(gated - covered) == [], "gated suites without a failing-data case"
    # a suite whose model is not built in this checkout yet is gated once it is, so it needs its
    # case too; and no case may name a suite that no longer exists
    assert covered == {suite.name for suite in SUITES}


def test_the_suites_of_a_home_keep_their_gx_assets_between_runs(settings: Settings) -> None:
    """Each suite's frame is a DataFrame asset of one GX data source. Replacing the source at
    every suite ("add or update") dropped the other suites' assets, so every suite added its
    own again and rewrote the context's config, at every run."""
    from customer_truth.quality.gate import FRAMES_SOURCE, gx_context

    for suite, frame in ((MART_SUITE, _events(["C1"], ["r"])), (CRM_SUITE, _contacts(2, 0))):
        run_suite(suite, frame, settings, GateContext())
    run_suite(MART_SUITE, _events(["C1"], ["r"]), settings, GateContext())
    source = gx_context(settings).data_sources.get(FRAMES_SOURCE)
    assert sorted(asset.name for asset in source.assets) == sorted(
        [MART_SUITE.name, CRM_SUITE.name]
    )


def test_a_suite_hashes_no_value_of_its_frame(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GX fingerprinted every frame under 1 GB by hashing each of its values: most of a suite's
    time and a second copy's worth of memory, for a label nothing reads."""
    from great_expectations.execution_engine import pandas_execution_engine

    hashed: list[int] = []
    real = pandas_execution_engine.hash_pandas_dataframe

    def counting(frame: pd.DataFrame) -> str:
        hashed.append(len(frame))
        return str(real(frame))

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", counting)
    result = run_suite(MART_SUITE, _events(["C1", "C2"], [None, None]), settings, GateContext())
    assert result.success and result.rows == 2
    assert hashed == []


def test_a_suite_keeps_no_reference_to_its_frame(settings: Settings) -> None:
    """GX's engine kept every batch it loaded, and the context lives as long as the process: each
    suite's frame stayed in memory to the end of the run (1M persons: 12.4 GiB after the gate)."""
    frame = _events(["C1", "C2"], [None, None])
    result = run_suite(MART_SUITE, frame, settings, GateContext())
    assert result.success
    held = weakref.ref(frame)
    del frame
    gc.collect()
    assert held() is None


def test_a_suite_gives_its_frames_memory_back_to_the_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arrow's allocator keeps what a freed frame held for reuse: at 1M persons the process
    still held the gate's largest frame (13.5 GiB) as publication began. Each suite hands it
    back once validated."""
    from customer_truth.quality import evaluate
    from customer_truth.warehouse import ensure_raw_schema, open_warehouse
    from data_quality import raw__crm__contacts

    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")
    with open_warehouse(settings) as con:
        ensure_raw_schema(con)
        con.execute(
            "insert into raw.crm__contacts values ('003A', '{}', 'b1', 'full', now(), "
            "'crm/b1/contacts.csv', 1, now())"
        )
    released: list[bool] = []

    class Pool:
        def release_unused(self) -> None:
            released.append(True)

    monkeypatch.setattr(evaluate.pa, "default_memory_pool", Pool)
    result = evaluate.evaluate_suite(raw__crm__contacts.SUITE, settings, "run-1")
    assert result.success and result.rows == 1
    assert released == [True]
