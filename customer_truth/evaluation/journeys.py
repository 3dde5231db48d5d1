"""Timeline attribution and proactive signals scored against a generated world's truth.

How each figure is scored: the comment below the imports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from customer_truth.statements import statement

# **Attribution.** The truth's `events.jsonl` names the person behind every event record and
# whether the landed data holds a path from it to that person (`attributable`). The pipeline's
# answer is the customer_id of the record's own timeline row (`is_record_event`; an order's
# fulfilment and refund rows share it). An event is on the **right customer** when that
# customer_id is one of the customers the crosswalk maps the person's identity-bearing records to
# (`identity_records.jsonl` joined to `marts.bdg_identity_crosswalk`). That scores the timeline's
# attribution apart from identity resolution: when resolution splits a person in two, an event on
# either part is where the crosswalk puts that person. The strict figure counts only the person's
# main customer (the one holding most of the person's records). A customer that holds records of
# several persons (a wrong merge) is right for each of them; identity's own evaluation scores
# that.
#
# **Contact center.** Contact records and transcripts are the events most often known only by
# an identifier no identity record carries (a caller's number only an order holds, a pre-chat
# email only a charge holds). They are reported apart: of the contact-center events of known
# persons (persons with an identity record in the truth), how many land on the right customer,
# how many on a wrong one, and how many are left out, by the timeline's `unattributed_reason`.
#
# **Signals.** The active incidents are the truth's incidents active in the *landed* data: each
# state change of an incident is carried by one system's records (a failed charge and the paid
# invoice by billing, a reopened and re-solved ticket by support, ...; `TRANSITIONS`), and a
# change after that system's last extraction has not been delivered yet, so no pipeline can know
# it. Changes driven by the clock (a promised delivery date passing, a repeat-contact incident
# going stale 30 days after it began) are known at the data's as-of, the latest extraction of any
# business system. An incident whose change falls between the extractions of the systems that may
# carry it (a delivery resolved by the carrier or by a refund in the shop; a repeat-contact
# incident resolved by a contact or by staleness) is in flux: it is neither counted as missed nor
# its signal as wrong, and the report says how many there were. A signal matches
# an incident when it is of the same kind, its customer is one of the person's customers, and its
# evidence names a reference of the incident: the order name or tracking code (delivery_delayed),
# the invoice (payment_failed), one of its contact ids (repeat_contact: evidence `contact_ids`, a
# list; the truth's incident lists the first contacts from the window that began it to the
# one that resolved it), the ticket (bad_csat_open).
# Precision = signals matching an active incident / signals (signals matching only incidents in
# flux left out); recall = active incidents matched by a signal / active incidents. An incident
# of a person with no identity-bearing record in the truth (`identity_records.jsonl`: a guest in
# every system, known only by identifiers no CRM contact, shop or billing customer, or support user
# carries) is unidentified: the landed data names no customer for that person, so no signal can
# match it; it counts neither way and the report says how many there were. So is a repeat-contact
# streak fewer than three of whose contacts carry a path to the person (`events.jsonl`
# `attributable`): the landed data cannot tell whose calls they were.

SQL = "evaluation/sql/journeys"  # one statement per file: evaluation/sql/journeys/<name>.sql

SIGNAL_KINDS = ("delivery_delayed", "payment_failed", "repeat_contact", "bad_csat_open")
BUSINESS_SYSTEMS = (
    "crm", "contact_center", "digital", "commerce", "billing", "support", "logistics",
)  # fmt: skip
CLOCK = "clock"
# kind -> (systems whose records show it began, systems whose records show it resolved)
TRANSITIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "delivery_delayed": ((CLOCK,), ("logistics", "commerce")),  # delivered, or lost and refunded
    "payment_failed": (("billing",), ("billing",)),  # failed charge; invoice paid or voided
    # third first contact about an issue in 7 days; a contact that resolves it, or staleness
    "repeat_contact": (("contact_center",), ("contact_center", CLOCK)),
    "bad_csat_open": (("support",), ("support",)),  # bad rating reopened; solved again
}


def load_pipeline_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """The three warehouse tables the scoring reads (a connection to the warehouse)."""
    return {
        "timeline": con.sql(statement(f"{SQL}/timeline_record_events")).pl(),
        "signals": con.sql(statement(f"{SQL}/signals")).pl(),
        "crosswalk": con.sql(statement(f"{SQL}/crosswalk")).pl(),
    }


def transition_cutoffs(manifest: dict[str, Any]) -> pl.DataFrame:
    """Per incident kind, the first and last extraction that could show it began and resolved.

    A system's last extraction is its latest batch id (the extraction time, SOURCES.md); the
    clock is the latest extraction of any business system. Without batches: the world's as-of.
    """
    as_of = datetime.fromisoformat(manifest["as_of"].replace("Z", "+00:00"))
    last = {
        system: datetime.strptime(max(ids), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        for system, ids in (manifest.get("batches") or {}).items()
        if ids
    }
    known = [last[s] for s in BUSINESS_SYSTEMS if s in last]
    last[CLOCK] = max(known) if known else as_of

    def when(system: str) -> datetime:
        return last.get(system, last[CLOCK])

    rows = [
        {
            "kind": kind,
            "began_first": min(when(s) for s in began),
            "began_last": max(when(s) for s in began),
            "resolved_first": min(when(s) for s in resolved),
            "resolved_last": max(when(s) for s in resolved),
        }
        for kind, (began, resolved) in TRANSITIONS.items()
    ]
    return pl.DataFrame(rows)


def evaluate_journeys(tables: dict[str, pl.DataFrame], truth_dir: Path) -> dict[str, Any]:
    """Attribution of the truth's events and precision/recall of the active signals."""
    import json

    manifest = json.loads((truth_dir / "manifest.json").read_text())
    as_of = manifest["as_of"]
    cutoffs = transition_cutoffs(manifest)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        for name, frame in tables.items():
            con.register(name, frame)
        con.register("cutoffs", cutoffs)
        con.execute(
            statement(f"{SQL}/person_customers"),
            {"records": str(truth_dir / "identity_records.jsonl")},
        )
        con.execute(
            statement(f"{SQL}/known_persons"),
            {"records": str(truth_dir / "identity_records.jsonl")},
        )
        con.execute(statement(f"{SQL}/scored_events"), {"events": str(truth_dir / "events.jsonl")})
        con.execute(
            statement(f"{SQL}/incidents"),
            {
                "incidents": str(truth_dir / "incidents.jsonl"),
                "records": str(truth_dir / "identity_records.jsonl"),
                "as_of": as_of,
            },
        )
        con.execute(statement(f"{SQL}/signal_matches"))
        return {
            "as_of": as_of,
            "data_as_of": cutoffs["began_first"].min(),
            "clock_as_of": cutoffs["resolved_last"].max(),
            "attribution": _attribution(con),
            "contact_center": _contact_center(con),
            "signals": _signals(con),
        }
    finally:
        con.close()


def _attribution(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    row = con.sql(statement(f"{SQL}/attribution_counts")).fetchall()[0]
    keys = (
        "attributable",
        "right",
        "right_main_customer",
        "wrong_customer",
        "unattributed",
        "missing_from_timeline",
        "not_attributable",
        "not_attributable_but_attributed",
        "not_attributable_attributed_wrongly",
        "events",
    )
    result: dict[str, Any] = dict(zip(keys, (int(v) for v in row), strict=True))
    n = result["attributable"]
    result["right_share"] = result["right"] / n if n else 1.0
    result["right_main_customer_share"] = result["right_main_customer"] / n if n else 1.0
    attributed_n = int(con.sql(statement(f"{SQL}/attributed_events")).fetchall()[0][0])
    wrong = result["wrong_customer"] + result["not_attributable_attributed_wrongly"]
    result["attributed"] = attributed_n
    result["attributed_precision"] = 1 - wrong / attributed_n if attributed_n else 1.0
    by_entity = con.sql(statement(f"{SQL}/attribution_by_entity")).fetchall()
    result["by_entity"] = {k: {"attributable": int(a), "right": int(r)} for k, a, r in by_entity}
    reasons = con.sql(statement(f"{SQL}/unattributed_reasons")).fetchall()
    result["unattributed_reasons"] = {k: int(v) for k, v in reasons}
    return result


def _contact_center(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Contact records and transcripts of known persons: right customer, wrong, left out."""
    con.execute(statement(f"{SQL}/contact_center_events"))
    totals = con.sql(statement(f"{SQL}/contact_center_totals")).fetchall()
    reasons = con.sql(statement(f"{SQL}/contact_center_left_out_reasons")).fetchall()
    out: dict[str, Any] = {}
    for entity, n, right, wrong, left_out, attributable, attributable_right in totals:
        out[entity] = {
            "records": int(n),
            "right": int(right),
            "right_share": right / n if n else 1.0,
            "wrong_customer": int(wrong),
            "left_out": int(left_out),
            "left_out_reasons": {r: int(c) for e, r, c in reasons if e == entity},
            "attributable": int(attributable),
            "attributable_right": int(attributable_right),
            "attributable_right_share": attributable_right / attributable if attributable else 1.0,
        }
    return out


def _signals(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in (*SIGNAL_KINDS, None):
        # the kind is bound, never formatted into the SQL
        row = con.execute(statement(f"{SQL}/signal_scores"), {"kind": kind}).fetchall()[0]
        signals, true_signals, active, found, stale, in_flux, unidentified = (int(v) for v in row)
        out[kind or "all"] = {
            "incidents_in_flux": in_flux,
            "incidents_of_unidentified_persons": unidentified,
            "signals": signals,
            "signals_matching_active_incident": true_signals,
            "signals_matching_only_resolved_incident": stale,
            "active_incidents": active,
            "active_incidents_found": found,
            "precision": true_signals / signals if signals else 1.0,
            "recall": found / active if active else 1.0,
        }
    return out


def format_journeys_report(result: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    a = result["attribution"]
    clock = result["clock_as_of"]
    lines = [
        f"events attributable in the truth: {a['attributable']} of {a['events']}",
        f"on the right customer: {a['right']} ({a['right_share']:.4f}); on the person's main "
        f"customer: {a['right_main_customer']} ({a['right_main_customer_share']:.4f})",
        f"wrong customer: {a['wrong_customer']}; left unattributed: {a['unattributed']} "
        f"{a['unattributed_reasons']}; missing from the timeline: {a['missing_from_timeline']}",
        f"attributed events on the right person (precision): {a['attributed_precision']:.4f} "
        f"({a['attributed']} attributed; {a['not_attributable_but_attributed']} of the "
        f"{a['not_attributable']} events without a truth path attributed anyway, "
        f"{a['not_attributable_attributed_wrongly']} of them wrongly)",
        "by source: "
        + ", ".join(f"{k} {v['right']}/{v['attributable']}" for k, v in a["by_entity"].items()),
        "contact center, events of known persons (persons with an identity record):",
        *(
            f"  {entity}: right customer {c['right']}/{c['records']} ({c['right_share']:.4f}; "
            f"with a truth path {c['attributable_right']}/{c['attributable']}), wrong customer "
            f"{c['wrong_customer']}, left out {c['left_out']} {c['left_out_reasons']}"
            for entity, c in result["contact_center"].items()
        ),
        "proactive signals vs incidents active in the landed data (each change judged at the "
        f"last extraction of the system that carries it; clock {clock:%Y-%m-%dT%H:%M:%SZ}, "
        f"world {result['as_of']}):",
    ]
    for kind, s in result["signals"].items():
        lines.append(
            f"  {kind:17s} precision {s['precision']:.4f} ({s['signals_matching_active_incident']}"
            f"/{s['signals']})  recall {s['recall']:.4f} ({s['active_incidents_found']}"
            f"/{s['active_incidents']})  signals on an already resolved incident: "
            f"{s['signals_matching_only_resolved_incident']}; in flux: {s['incidents_in_flux']}; "
            f"no path to the person in the landed data: {s['incidents_of_unidentified_persons']}"
        )
    return "\n".join(lines)
