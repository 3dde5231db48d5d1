"""Signal scoring judges each incident as the landed data can show it: a change after the last
extraction of the system that carries it is not known yet; a change between the extractions of
two systems that may carry it is in flux and counts neither way."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from customer_truth.evaluation.journeys import (
    evaluate_journeys,
    format_journeys_report,
    transition_cutoffs,
)

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


REPEAT_MANIFEST = {
    "as_of": "2026-03-08T03:07:52Z",
    "batches": {
        "contact_center": ["20260308T021500Z"],
        "logistics": ["20260308T025250Z"],  # the clock: the latest business extraction
    },
}


def _tables(
    timeline: list[tuple[str, str, str, str | None, str | None]],
    signals: list[tuple[str, str, str, str]],
    crosswalk: list[tuple[str, str]],
) -> dict[str, pl.DataFrame]:
    """Warehouse stand-ins: timeline (system, entity, record, customer, unattributed reason),
    signals (id, customer, type, evidence), crosswalk (support user record, customer)."""
    return {
        "timeline": pl.DataFrame(
            {
                "source_system": [r[0] for r in timeline],
                "source_entity": [r[1] for r in timeline],
                "source_record_id": [r[2] for r in timeline],
                "customer_id": [r[3] for r in timeline],
                "journey_id": [None] * len(timeline),
                "attribution_path": [None] * len(timeline),
                "unattributed_reason": [r[4] for r in timeline],
            },
            schema_overrides={
                "customer_id": pl.String,
                "journey_id": pl.String,
                "attribution_path": pl.String,
                "unattributed_reason": pl.String,
            },
        ),
        "signals": pl.DataFrame(
            {
                "signal_id": [s[0] for s in signals],
                "customer_id": [s[1] for s in signals],
                "signal_type": [s[2] for s in signals],
                "evidence": [s[3] for s in signals],
            },
            schema={
                "signal_id": pl.String,
                "customer_id": pl.String,
                "signal_type": pl.String,
                "evidence": pl.String,
            },
        ),
        "crosswalk": pl.DataFrame(
            {
                "source_system": ["support"] * len(crosswalk),
                "source_entity": ["users"] * len(crosswalk),
                "source_record_id": [c[0] for c in crosswalk],
                "customer_id": [c[1] for c in crosswalk],
            }
        ),
    }


def test_a_repeat_contact_incident_ends_by_a_contact_or_by_the_clock(tmp_path: Path) -> None:
    cutoffs = {r["kind"]: r for r in transition_cutoffs(REPEAT_MANIFEST).to_dicts()}
    cc = datetime(2026, 3, 8, 2, 15, tzinfo=UTC)
    clock = datetime(2026, 3, 8, 2, 52, 50, tzinfo=UTC)
    assert cutoffs["repeat_contact"]["began_first"] == cc
    assert cutoffs["repeat_contact"]["resolved_first"] == cc
    assert cutoffs["repeat_contact"]["resolved_last"] == clock

    (tmp_path / "manifest.json").write_text(json.dumps(REPEAT_MANIFEST))
    people = ("P1", "P2", "P3", "P4")
    _jsonl(
        tmp_path / "identity_records.jsonl",
        [{"system": "support", "entity": "users", "record_id": f"u{p}", "person_id": p}
         for p in people],
    )  # fmt: skip
    # every contact carries a path to its person but two of P5's three (calls from a number
    # no system holds)
    contacts = {"P1": "c1 c2 c3", "P2": "d1 d2 d3", "P3": "e1 e2 e3 e4", "P4": "f1 f2 f3",
                "P5": "g1 g2 g3"}  # fmt: skip
    _jsonl(
        tmp_path / "events.jsonl",
        [
            {"system": "contact_center", "entity": "contact_records", "record_id": c,
             "person_id": p, "attributable": c not in ("g2", "g3")}
            for p, ids in contacts.items()
            for c in ids.split()
        ],
    )  # fmt: skip
    _jsonl(
        tmp_path / "incidents.jsonl",
        [
            # open, but the landed data cannot tell whose calls two of its three were: no path
            _incident("I5", "repeat_contact", "P4", "2026-03-05T10:00:00Z", None,
                      contact_ids=["g1", "g2", "g3"]),
            # still unresolved at the clock: active
            _incident("I1", "repeat_contact", "P1", "2026-03-05T10:00:00Z", None,
                      contact_ids=["c1", "c2", "c3"], order_name="#11"),
            # ids are unique within a kind only: this one is no repeat incident of anyone's
            _incident("I1", "bad_csat_open", "P1", "2026-01-05T10:00:00Z",
                      "2026-01-06T10:00:00Z", ticket_id="t1"),
            # ends (a contact, or staleness) after contact_center's extraction, before the
            # clock: in flux, counts neither way
            _incident("I2", "repeat_contact", "P2", "2026-02-06T10:00:00Z",
                      "2026-03-08T02:40:00Z", contact_ids=["d1", "d2", "d3"]),
            # resolved on the 7th: a signal for it is on a resolved incident
            _incident("I3", "repeat_contact", "P3", "2026-03-04T10:00:00Z",
                      "2026-03-07T10:00:00Z", contact_ids=["e1", "e2", "e3", "e4"]),
            # still open, but the signal names none of its contacts
            _incident("I4", "repeat_contact", "P4", "2026-03-05T10:00:00Z", None,
                      contact_ids=["f1", "f2", "f3"], order_name="#44"),
        ],
    )  # fmt: skip
    tables = _tables(
        [],
        [
            ("s1", "c1", "repeat_contact", '{"contact_ids": ["c3"], "order_name": "#11"}'),
            ("s2", "c2", "repeat_contact", '{"contact_ids": ["d1", "d2", "d3"]}'),
            ("s3", "c3", "repeat_contact", '{"contact_ids": ["e4"]}'),
            ("s4", "c4", "repeat_contact", '{"contact_ids": ["zz"], "order_name": "#44"}'),
            # the right contact on another person's customer does not match
            ("s5", "c4", "repeat_contact", '{"contact_ids": ["c1"]}'),
            # a signal on the streak without a path is neither right nor wrong
            ("s6", "c4", "repeat_contact", '{"contact_ids": ["g1", "g2", "g3"]}'),
        ],
        [(f"u{p}", f"c{p[1]}") for p in people],
    )
    signals = evaluate_journeys(tables, tmp_path)["signals"]
    assert signals["bad_csat_open"]["active_incidents_found"] == 0
    repeat = signals["repeat_contact"]
    assert repeat["active_incidents"] == 2
    assert repeat["incidents_of_unidentified_persons"] == 1
    assert repeat["active_incidents_found"] == 1
    assert repeat["incidents_in_flux"] == 1
    assert repeat["signals"] == 4  # s2 matches only the incident in flux
    assert repeat["signals_matching_active_incident"] == 1
    assert repeat["signals_matching_only_resolved_incident"] == 1


def test_contact_center_attribution_is_reported_apart_with_why_records_were_left_out(
    tmp_path: Path,
) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(REPEAT_MANIFEST))
    _jsonl(
        tmp_path / "identity_records.jsonl",
        [{"system": "support", "entity": "users", "record_id": f"u{p}", "person_id": p}
         for p in ("P1", "P2")],
    )  # fmt: skip
    events = [
        ("contact_records", "k1", "P1", True),  # right customer
        ("contact_records", "k2", "P1", True),  # P2's customer: wrong
        ("contact_records", "k3", "P1", True),  # left out: a phone no customer holds
        ("contact_records", "k4", "P2", False),  # left out: no identifier at all
        ("contact_records", "k5", "P2", True),  # not in the timeline
        ("transcripts", "k1", "P1", True),  # right customer
        ("contact_records", "k6", "P9", False),  # a person never identified: not counted
        ("tickets", "t1", "P1", True),  # not the contact center
    ]
    _jsonl(
        tmp_path / "events.jsonl",
        [{"system": "support" if e == "tickets" else "contact_center", "entity": e,
          "record_id": r, "person_id": p, "attributable": a} for e, r, p, a in events],
    )  # fmt: skip
    _jsonl(tmp_path / "incidents.jsonl", [])
    cc = "contact_center"
    tables = _tables(
        [
            (cc, "contact_records", "k1", "c1", None),
            (cc, "contact_records", "k2", "c2", None),
            (cc, "contact_records", "k3", None, "identifier_not_resolved"),
            (cc, "contact_records", "k4", None, "no_identifier"),
            (cc, "transcripts", "k1", "c1", None),
            (cc, "contact_records", "k6", None, "no_identifier"),
        ],
        [],
        [("uP1", "c1"), ("uP2", "c2")],
    )
    full = evaluate_journeys(tables, tmp_path)
    assert "contact_records: right customer 1/5" in format_journeys_report(full)
    result = full["contact_center"]
    records = result["contact_records"]
    assert records["records"] == 5
    assert records["right"] == 1
    assert records["right_share"] == 0.2
    assert records["wrong_customer"] == 1
    assert records["left_out"] == 3
    assert records["left_out_reasons"] == {
        "identifier_not_resolved": 1,
        "missing_from_timeline": 1,
        "no_identifier": 1,
    }
    assert (records["attributable"], records["attributable_right"]) == (4, 1)
    assert result["transcripts"]["right_share"] == 1.0
