"""Signal scoring judges each incident as the landed data can show it: a change after the last
extraction of the system that carries it is not known yet; a change between the extractions of
two systems that may carry it is in flux and counts neither way."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from customer_truth.evaluation.journeys import evaluate_journeys, transition_cutoffs

MANIFEST = {
    "as_of": "2026-03-08T03:07:52Z",
    "batches": {
        "support": ["20260307T024258Z", "20260308T024411Z"],
        "commerce": ["20260308T022307Z"],
        "logistics": ["20260308T025250Z"],
        "privacy": ["20260308T030752Z"],  # not a business system: not the clock
    },
}


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _incident(iid: str, kind: str, person: str, began: str, resolved: str | None, **refs) -> dict:
    return {
        "incident_id": iid,
        "kind": kind,
        "person_id": person,
        "began_at": began,
        "resolved_at": resolved,
        "refs": {"order_name": None, "tracking_code": None, "invoice_id": None,
                 "ticket_id": None, "contact_ids": [], **refs},
    }  # fmt: skip


def test_cutoffs_come_from_each_systems_last_extraction() -> None:
    cutoffs = {r["kind"]: r for r in transition_cutoffs(MANIFEST).to_dicts()}
    clock = datetime(2026, 3, 8, 2, 52, 50, tzinfo=UTC)  # latest business extraction
    assert cutoffs["bad_csat_open"]["resolved_last"] == datetime(2026, 3, 8, 2, 44, 11, tzinfo=UTC)
    assert cutoffs["delivery_delayed"]["began_first"] == clock
    assert cutoffs["delivery_delayed"]["resolved_first"] == datetime(
        2026, 3, 8, 2, 23, 7, tzinfo=UTC
    )
    assert cutoffs["delivery_delayed"]["resolved_last"] == clock


def test_a_resolution_not_delivered_yet_keeps_the_incident_active(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    people = ("P1", "P2", "P3")
    _jsonl(
        tmp_path / "identity_records.jsonl",
        [{"system": "support", "entity": "users", "record_id": f"u{p}", "person_id": p}
         for p in people],
    )  # fmt: skip
    _jsonl(
        tmp_path / "events.jsonl",
        [{"system": "support", "entity": "tickets", "record_id": "t1", "person_id": "P1",
          "attributable": True}],
    )  # fmt: skip
    _jsonl(
        tmp_path / "incidents.jsonl",
        [
            # solved again at 02:56, after support's last extraction (02:44): still open in data
            _incident("I1", "bad_csat_open", "P1", "2026-03-03T10:00:00Z",
                      "2026-03-08T02:56:59Z", ticket_id="t1"),
            # solved on the 7th: a signal for it is stale
            _incident("I2", "bad_csat_open", "P2", "2026-03-03T10:00:00Z",
                      "2026-03-07T10:00:00Z", ticket_id="t2"),
            # delivered or refunded at 02:40: after the shop's extraction, before the carrier's
            _incident("I3", "delivery_delayed", "P3", "2026-03-01T10:00:00Z",
                      "2026-03-08T02:40:00Z", order_name="#3"),
        ],
    )  # fmt: skip
    tables = {
        "timeline": pl.DataFrame(
            {"source_system": ["support"], "source_entity": ["tickets"],
             "source_record_id": ["t1"], "customer_id": ["c1"], "journey_id": [None],
             "attribution_path": ["support_user_id"], "unattributed_reason": [None]},
            schema_overrides={"journey_id": pl.String, "unattributed_reason": pl.String},
        ),
        "signals": pl.DataFrame(
            {"signal_id": ["s1", "s2", "s3"], "customer_id": ["c1", "c2", "c3"],
             "signal_type": ["bad_csat_open", "bad_csat_open", "delivery_delayed"],
             "evidence": ['{"ticket_id": "t1"}', '{"ticket_id": "t2"}', '{"order_name": "#3"}']},
        ),
        "crosswalk": pl.DataFrame(
            {"source_system": ["support"] * 3, "source_entity": ["users"] * 3,
             "source_record_id": [f"u{p}" for p in people], "customer_id": ["c1", "c2", "c3"]},
        ),
    }  # fmt: skip
    signals = evaluate_journeys(tables, tmp_path)["signals"]
    assert signals["bad_csat_open"]["active_incidents"] == 1
    assert signals["bad_csat_open"]["recall"] == 1.0
    assert signals["bad_csat_open"]["precision"] == 0.5  # s2 is on a resolved incident
    assert signals["bad_csat_open"]["signals_matching_only_resolved_incident"] == 1
    assert signals["delivery_delayed"]["incidents_in_flux"] == 1
    assert signals["delivery_delayed"]["signals"] == 0  # s3 counts neither way
    assert signals["delivery_delayed"]["active_incidents"] == 0


def test_an_incident_of_a_person_never_identified_counts_neither_way(tmp_path: Path) -> None:
    # P2 is a guest everywhere (a guest order, contacts by phone and email that no identity
    # record carries): the truth holds no identity record for them, so no customer is theirs
    # and no signal can match their incident. It is not a miss.
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    _jsonl(
        tmp_path / "identity_records.jsonl",
        [{"system": "support", "entity": "users", "record_id": "uP1", "person_id": "P1"}],
    )
    _jsonl(
        tmp_path / "events.jsonl",
        [{"system": "commerce", "entity": "orders", "record_id": "o2", "person_id": "P2",
          "attributable": False}],
    )  # fmt: skip
    _jsonl(
        tmp_path / "incidents.jsonl",
        [
            _incident("I1", "delivery_delayed", "P1", "2026-03-01T10:00:00Z", None,
                      order_name="#1"),
            _incident("I2", "delivery_delayed", "P2", "2026-03-01T10:00:00Z", None,
                      order_name="#2"),
        ],
    )  # fmt: skip
    tables = {
        "timeline": pl.DataFrame(
            {"source_system": ["commerce"], "source_entity": ["orders"],
             "source_record_id": ["o2"], "customer_id": [None], "journey_id": [None],
             "attribution_path": [None], "unattributed_reason": ["identifier_not_resolved"]},
            schema_overrides={"customer_id": pl.String, "journey_id": pl.String,
                              "attribution_path": pl.String},
        ),
        "signals": pl.DataFrame(
            {"signal_id": ["s1"], "customer_id": ["c1"], "signal_type": ["delivery_delayed"],
             "evidence": ['{"order_name": "#1"}']},
        ),
        "crosswalk": pl.DataFrame(
            {"source_system": ["support"], "source_entity": ["users"],
             "source_record_id": ["uP1"], "customer_id": ["c1"]},
        ),
    }  # fmt: skip
    signals = evaluate_journeys(tables, tmp_path)["signals"]["delivery_delayed"]
    assert signals["active_incidents"] == 1
    assert signals["recall"] == 1.0
    assert signals["precision"] == 1.0
    assert signals["incidents_of_unidentified_persons"] == 1
