"""Timeline attribution and proactive signals scored against a generated world's truth.

**Attribution.** The truth's `events.jsonl` names the person behind every event record and
whether the landed data holds a path from it to that person (`attributable`). The pipeline's
answer is the customer_id of the record's own timeline row (`is_record_event`; an order's
fulfilment and refund rows share it). An event is on the **right customer** when that
customer_id is one of the customers the crosswalk maps the person's identity-bearing records to
(`identity_records.jsonl` joined to `marts.bdg_identity_crosswalk`). That scores the timeline's
attribution apart from identity resolution: when resolution splits a person in two, an event on
either part is where the crosswalk puts that person. The strict figure counts only the person's
main customer (the one holding most of the person's records). A customer that holds records of
several persons (a wrong merge) is right for each of them; identity's own evaluation scores
that.

**Contact center.** Contact records and transcripts are the events most often known only by
an identifier no identity record carries (a caller's number only an order holds, a pre-chat
email only a charge holds). They are reported apart: of the contact-center events of known
persons (persons with an identity record in the truth), how many land on the right customer,
how many on a wrong one, and how many are left out, by the timeline's `unattributed_reason`.

**Signals.** The active incidents are the truth's incidents active in the *landed* data: each
state change of an incident is carried by one system's records (a failed charge and the paid
invoice by billing, a reopened and re-solved ticket by support, ...; `TRANSITIONS`), and a
change after that system's last extraction has not been delivered yet, so no pipeline can know
it. Changes driven by the clock (a promised delivery date passing, a repeat-contact incident
going stale 30 days after it began) are known at the data's as-of, the latest extraction of any
business system. An incident whose change falls between the extractions of the systems that may
carry it (a delivery resolved by the carrier or by a refund in the shop; a repeat-contact
incident resolved by a contact or by staleness) is in flux: it is neither counted as missed nor
its signal as wrong, and the report says how many there were. A signal matches
an incident when it is of the same kind, its customer is one of the person's customers, and its
evidence names a reference of the incident: the order name or tracking code (delivery_delayed),
the invoice (payment_failed), one of its contact ids (repeat_contact: evidence `contact_ids`, a
list; the truth's incident lists the issue's first contacts from the window that began it to the
one that resolved it), the ticket (bad_csat_open).
Precision = signals matching an active incident / signals (signals matching only incidents in
flux left out); recall = active incidents matched by a signal / active incidents. An incident
of a person with no identity-bearing record in the truth (`identity_records.jsonl`: a guest in
every system, known only by identifiers no CRM contact, shop or billing customer, or support user
carries) is unidentified: the landed data names no customer for that person, so no signal can
match it; it counts neither way and the report says how many there were. So is a repeat-contact
streak fewer than three of whose contacts carry a path to the person (`events.jsonl`
`attributable`): the landed data cannot tell whose calls they were.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

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

TIMELINE_SQL = """
select source_system, source_entity, source_record_id, customer_id, journey_id,
    attribution_path, unattributed_reason,
from marts.fct_customer_timeline
where is_record_event
"""
SIGNALS_SQL = """
select signal_id, customer_id, signal_type, detected_at, cast(evidence as varchar) as evidence,
from marts.fct_proactive_signals
"""
CROSSWALK_SQL = """
select source_system, source_entity, source_record_id, customer_id,
from marts.bdg_identity_crosswalk
"""


def load_pipeline_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """The three warehouse tables the scoring reads (a connection to the warehouse)."""
    return {
        "timeline": con.sql(TIMELINE_SQL).pl(),
        "signals": con.sql(SIGNALS_SQL).pl(),
        "crosswalk": con.sql(CROSSWALK_SQL).pl(),
    }


_PERSON_CUSTOMERS_SQL = """
create temp table person_customers as
with records as (
    select system, entity, record_id, person_id,
    from read_json($records, format = 'newline_delimited',
        columns = {system: 'VARCHAR', entity: 'VARCHAR', record_id: 'VARCHAR',
                   person_id: 'VARCHAR'})
)
select records.person_id, crosswalk.customer_id, count(*) as n_records,
    row_number() over (
        partition by records.person_id order by count(*) desc, crosswalk.customer_id
    ) = 1 as is_main,
from records
inner join crosswalk
    on records.system = crosswalk.source_system
    and records.entity = crosswalk.source_entity
    and records.record_id = crosswalk.source_record_id
group by records.person_id, crosswalk.customer_id
"""

_KNOWN_PERSONS_SQL = """
create temp table known_persons as
select distinct person_id,
from read_json($records, format = 'newline_delimited', columns = {person_id: 'VARCHAR'})
"""

_ATTRIBUTION_SQL = """
create temp table scored_events as
with truth as (
    select system, entity, record_id, person_id, attributable,
    from read_json($events, format = 'newline_delimited',
        columns = {system: 'VARCHAR', entity: 'VARCHAR', record_id: 'VARCHAR',
                   person_id: 'VARCHAR', attributable: 'BOOLEAN'})
),
timeline_records as (
    select source_system, source_entity, source_record_id,
        any_value(customer_id) as customer_id,
        any_value(unattributed_reason) as unattributed_reason,
        count(*) as rows_,
    from timeline
    group by all
)
select
    truth.*,
    timeline_records.rows_ is not null as in_timeline,
    timeline_records.customer_id,
    timeline_records.unattributed_reason,
    person_customers.customer_id is not null as is_right,
    coalesce(person_customers.is_main, false) as is_main_customer,
from truth
left join timeline_records
    on truth.system = timeline_records.source_system
    and truth.entity = timeline_records.source_entity
    and truth.record_id = timeline_records.source_record_id
left join person_customers
    on truth.person_id = person_customers.person_id
    and timeline_records.customer_id = person_customers.customer_id
"""

_INCIDENTS_SQL = """
create temp table incidents as
select
    incident_id, kind, person_id,
    cast(began_at as timestamptz) as began_at,
    cast(resolved_at as timestamptz) as resolved_at,
    refs.order_name as order_name,
    refs.tracking_code as tracking_code,
    refs.invoice_id as invoice_id,
    refs.ticket_id as ticket_id,
    coalesce(refs.contact_ids, []) as contact_ids,
    case
        -- no customer can be the person's: no signal can match, whatever the pipeline does
        when person_id not in (
            select person_id from read_json($records, format = 'newline_delimited',
                columns = {person_id: 'VARCHAR'})
        ) then 'unidentified'
        when cast(began_at as timestamptz) > cutoffs.began_last
            or cast(resolved_at as timestamptz) <= cutoffs.resolved_first then 'inactive'
        -- a repeat streak still open that the landed data cannot tie to the person: fewer than
        -- three of its contacts carry a path to them (calls from a number no system holds)
        when kind = 'repeat_contact' and (
            select count(*) from scored_events
            where scored_events.entity = 'contact_records' and scored_events.attributable
                and list_contains(coalesce(refs.contact_ids, []), scored_events.record_id)
        ) < 3 then 'unidentified'
        when cast(began_at as timestamptz) <= cutoffs.began_first
            and (resolved_at is null
                 or cast(resolved_at as timestamptz) > cutoffs.resolved_last) then 'active'
        else 'in_flux'
    end as state,
from read_json($incidents, format = 'newline_delimited',
    columns = {incident_id: 'VARCHAR', kind: 'VARCHAR', person_id: 'VARCHAR',
               began_at: 'VARCHAR', resolved_at: 'VARCHAR',
               refs: 'STRUCT(order_name VARCHAR, tracking_code VARCHAR, invoice_id VARCHAR,
                             ticket_id VARCHAR, contact_ids VARCHAR[])'})
left join cutoffs using (kind)
where cast(began_at as timestamptz) <= cast($as_of as timestamptz)
"""

_MATCHES_SQL = """
create temp table signal_matches as
with parsed as (
    select
        signal_id, customer_id, signal_type,
        evidence->>'$.order_name' as order_name,
        evidence->>'$.tracking_code' as tracking_code,
        evidence->>'$.invoice_id' as invoice_id,
        evidence->>'$.ticket_id' as ticket_id,
        coalesce(cast(evidence->'$.contact_ids' as varchar[]), []) as contact_ids,
    from signals
)
select parsed.signal_id, incidents.incident_id, incidents.kind,
    incidents.state = 'active' as incident_active,
    -- an incident in flux, or one no path in the landed data ties to its person: a signal on it
    -- is neither right nor wrong
    incidents.state in ('in_flux', 'unidentified') as incident_undecided,
from parsed
inner join person_customers on parsed.customer_id = person_customers.customer_id
inner join incidents
    on incidents.person_id = person_customers.person_id
    and incidents.kind = parsed.signal_type
    and (
        (incidents.kind = 'delivery_delayed'
            and (parsed.order_name = incidents.order_name
                 or parsed.tracking_code = upper(replace(incidents.tracking_code, ' ', ''))))
        or (incidents.kind = 'payment_failed' and parsed.invoice_id = incidents.invoice_id)
        or (incidents.kind = 'bad_csat_open' and parsed.ticket_id = incidents.ticket_id)
        or (incidents.kind = 'repeat_contact'
            and len(list_intersect(parsed.contact_ids, incidents.contact_ids)) > 0)
    )
"""


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
        con.execute(_PERSON_CUSTOMERS_SQL, {"records": str(truth_dir / "identity_records.jsonl")})
        con.execute(_KNOWN_PERSONS_SQL, {"records": str(truth_dir / "identity_records.jsonl")})
        con.execute(_ATTRIBUTION_SQL, {"events": str(truth_dir / "events.jsonl")})
        con.execute(
            _INCIDENTS_SQL,
            {
                "incidents": str(truth_dir / "incidents.jsonl"),
                "records": str(truth_dir / "identity_records.jsonl"),
                "as_of": as_of,
            },
        )
        con.execute(_MATCHES_SQL)
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
    row = con.sql(
        """
        select
            count(*) filter (where attributable),
            count(*) filter (where attributable and is_right),
            count(*) filter (where attributable and is_main_customer),
            count(*) filter (where attributable and customer_id is not null and not is_right),
            count(*) filter (where attributable and in_timeline and customer_id is null),
            count(*) filter (where not in_timeline),
            count(*) filter (where not attributable),
            count(*) filter (where not attributable and customer_id is not null),
            count(*) filter (where not attributable and customer_id is not null and not is_right),
            count(*),
        from scored_events
        """
    ).fetchall()[0]
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
    attributed = con.sql("select count(*) from scored_events where customer_id is not null")
    attributed_n = int(attributed.fetchall()[0][0])
    wrong = result["wrong_customer"] + result["not_attributable_attributed_wrongly"]
    result["attributed"] = attributed_n
    result["attributed_precision"] = 1 - wrong / attributed_n if attributed_n else 1.0
    by_entity = con.sql(
        """
        select system || '/' || entity, count(*), count(*) filter (where is_right),
        from scored_events where attributable group by all order by 1
        """
    ).fetchall()
    result["by_entity"] = {k: {"attributable": int(a), "right": int(r)} for k, a, r in by_entity}
    reasons = con.sql(
        """
        select coalesce(unattributed_reason, 'missing'), count(*),
        from scored_events where attributable and customer_id is null group by all order by 2 desc
        """
    ).fetchall()
    result["unattributed_reasons"] = {k: int(v) for k, v in reasons}
    return result


def _contact_center(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Contact records and transcripts of known persons: right customer, wrong, left out."""
    con.execute(
        """
        create or replace temp view contact_center_events as
        select * from scored_events
        where system = 'contact_center' and person_id in (select person_id from known_persons)
        """
    )
    totals = con.sql(
        """
        select entity, count(*), count(*) filter (where is_right),
            count(*) filter (where customer_id is not null and not is_right),
            count(*) filter (where customer_id is null),
            count(*) filter (where attributable),
            count(*) filter (where attributable and is_right),
        from contact_center_events
        group by entity order by entity
        """
    ).fetchall()
    reasons = con.sql(
        """
        select entity,
            case when not in_timeline then 'missing_from_timeline'
                 else coalesce(unattributed_reason, 'no_reason_given') end as reason,
            count(*),
        from contact_center_events
        where customer_id is null
        group by all order by entity, 3 desc, reason
        """
    ).fetchall()
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
        row = con.execute(
            """
            with undecided_only as (
                -- signals whose only incidents are undecided: neither right nor wrong
                select signal_id from signal_matches where incident_undecided
                except
                select signal_id from signal_matches where not incident_undecided
            )
            select
                (select count(*) from signals where ($kind is null or signal_type = $kind)
                   and signal_id not in (select signal_id from undecided_only)),
                (select count(distinct signal_id) from signal_matches
                 join signals using (signal_id)
                 where incident_active and ($kind is null or signal_type = $kind)),
                (select count(*) from incidents
                 where state = 'active' and ($kind is null or kind = $kind)),
                -- incident ids are unique within a kind only
                (select count(distinct (kind, incident_id)) from signal_matches
                 where incident_active and ($kind is null or kind = $kind)),
                (select count(distinct signal_id) from signal_matches
                 join signals using (signal_id)
                 where not incident_active and not incident_undecided
                   and ($kind is null or signal_type = $kind)
                   and signal_id not in (
                       select signal_id from signal_matches where incident_active)),
                (select count(*) from incidents
                 where state = 'in_flux' and ($kind is null or kind = $kind)),
                (select count(*) from incidents
                 where state = 'unidentified' and ($kind is null or kind = $kind)),
            """,
            {"kind": kind},
        ).fetchall()[0]
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
