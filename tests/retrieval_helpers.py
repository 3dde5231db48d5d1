"""A tiny release for retrieval tests: three persons, two of them sharing a household landline,
each with every kind of identifier, a context JSON and a brief shaped as customer_context.sql
builds them, and (on purpose) their email and phone inside free text, where only the policy's
last pass can catch them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from customer_truth.publication.publisher import Candidates
from customer_truth.publication.registry import published_table
from customer_truth.retrieval.policy import ATTRIBUTES
from tests.publication_helpers import candidates_of

RETRIEVAL_TABLES = tuple(
    published_table(name) for name in ("customer_profile", "identifier_lookup", "customer_context")
)
LANDLINE = "+12127369999"  # shared by persons 1 and 2 (one household)
_SEEN = datetime(2026, 3, 1, tzinfo=UTC)


def retrieval_person(n: int, email: str | None = None) -> dict[str, str]:
    """Every clear value of person ``n`` a restricted consumer must never receive."""
    return {
        "customer_id": f"ct_{n:016d}",
        "email": email or f"Robin.Quill{n}@Mailbox.example.net".lower(),
        "phone": f"+1212736{n:04d}",
        "crm_contact_id": f"003QX{n:013d}",
        "commerce_customer_id": f"77{n:011d}",
        "billing_customer_id": f"cus_Qz{n:010d}",
        "support_user_id": f"90{n:09d}",
        "anonymous_id": f"anon-{n:06d}-f3e1",
        "user_id": f"usr_{n:08d}",
        "order_name": f"#{4100 + n}",
        "tracking_code": f"1Z999AA1{n:010d}",
        "birth_date": f"1984-03-{n:02d}",
        "address_line1": f"{n} Quillfeather Lane",
    }


def _profile(p: dict[str, str], n: int) -> dict[str, Any]:
    values = {
        "given_name": f"Robin{chr(64 + n)}",
        "family_name": "Quillfeather",
        "email": p["email"],
        "phone": p["phone"],
        "birth_date": p["birth_date"],
        "address_line1": p["address_line1"],
        "address_line2": None,
        "city": "Albany",
        "region": "NY",
        "postal_code": "12207",
        "country": "US",
    }
    row: dict[str, Any] = {
        "customer_id": p["customer_id"],
        "household_id": "hh_quill" if n in (1, 2) else f"hh_{n}",
        **values,
    }
    for attribute in ATTRIBUTES:
        row[f"{attribute}_source_system"] = "crm"
        row[f"{attribute}_source_record_id"] = p["crm_contact_id"]
        row[f"{attribute}_observed_at"] = _SEEN
    row.update(
        {
            "email_opt_in": True,
            "email_consent_basis": "opt_in",
            "do_not_call": False,
            "has_conflicts": False,
            "conflicting_attributes": "[]",
            "source_systems": "crm,commerce,billing,support",
            "live_record_count": 4,
            "first_seen_at": _SEEN,
            "last_seen_at": _SEEN,
        }
    )
    return row


def _guardrails(p: dict[str, str]) -> list[dict[str, Any]]:
    """The decisions as int_context__guardrails makes them (its dbt unit test checks the rules),
    in customer_context's order, facts included: they carry identifiers (the consent's source
    record, the order), which a restricted consumer must not receive in clear."""
    as_of = "2026-03-08 02:00:00+00"
    crm = {"source_system": "crm", "source_record_id": p["crm_contact_id"]}
    return [
        {
            "rule_id": "balance_requires_verification",
            "action": "quote_balance",
            "subject": None,
            "decision": "verify_first",
            "reason": "quote a balance only after the caller's identity is verified",
            "facts": {"open_invoices": 0, "open_balance_cents": 0},
        },
        {
            "rule_id": "do_not_call",
            "action": "outbound_call",
            "subject": None,
            "decision": "allow",
            "reason": "no do-not-call flag",
            "facts": {"do_not_call": False, **crm},
        },
        {
            "rule_id": "escalate_repeated_failures",
            "action": "continue_with_ai",
            "subject": None,
            "decision": "allow",
            "reason": "0 unresolved contacts in the last 14 days (escalate at 3)",
            "facts": {
                "failed_contacts": 0,
                "contact_ids": [],
                "max_failed_contacts": 3,
                "window_days": 14,
                "as_of": as_of,
            },
        },
        {
            "rule_id": "marketing_requires_opt_in",
            "action": "send_marketing",
            "subject": None,
            "decision": "allow",
            "reason": "opted in to email marketing",
            "facts": {"email_opt_in": True, "basis": "opt_in", **crm},
        },
        {
            "rule_id": "refund_window",
            "action": "refund_order",
            "subject": p["order_name"],
            "decision": "allow",
            "reason": "delivered 3 days ago, within the 30-day window",
            "facts": {
                "order_name": p["order_name"],
                "delivered_at": "2026-03-05 02:00:00+00",
                "window_days": 30,
                "as_of": as_of,
            },
        },
    ]


def _context(p: dict[str, str], profile: dict[str, Any]) -> tuple[str, str]:
    context = {
        "customer_id": p["customer_id"],
        "as_of": "2026-03-08 02:00:00+00",
        "identity": {"customer_id": p["customer_id"], "linked_records": 4, "links": []},
        "profile": {
            a: {
                "value": profile[a],
                "source_system": "crm",
                "source_record_id": p["crm_contact_id"],
                "observed_at": "2026-03-01 00:00:00+00",
            }
            for a in ATTRIBUTES
        },
        "consent": {"email_opt_in": True, "do_not_call": False},
        "open_work": {
            "open_tickets": [
                {"ticket_id": "t-1", "status": "open", "subject": f"Where is {p['order_name']}?"}
            ],
            "unresolved_contacts": [],
            "orders_in_flight": [
                {
                    "order_name": p["order_name"],
                    "shipments": [{"tracking_code": p["tracking_code"], "status": "in_transit"}],
                }
            ],
            "open_invoices": [],
        },
        "recent_interactions": [
            {"summary": f"Caller asked us to write to {p['email']} or call {p['phone']}"}
        ],
        "signals": [{"signal_type": "delivery_delayed", "evidence": {"order": p["order_name"]}}],
        "guardrails": _guardrails(p),
        "freshness": [{"source_system": "crm", "data_as_of": "2026-03-08 02:00:00+00"}],
    }
    name = f"{profile['given_name']} {profile['family_name']}"
    text = "\n".join(
        [
            f"Customer {p['customer_id']} ({name}), data as of 2026-03-08 02:00 UTC.",
            "Identity: 4 linked records from crm; linked by deterministic:email:personal x4.",
            f"Contact: email {p['email']}, phone {p['phone']}, lives in Albany, US.",
            "Consent: email marketing opted in; calls allowed.",
            f"Open work: 1 open tickets (t-1 open: Where is {p['order_name']}?), 1 orders in "
            f"flight ({p['order_name']} in_transit {p['tracking_code']}).",
            f"Recent interactions: 2026-03-07 caller asked us to write to {p['email']}.",
            "Active signals: delivery_delayed (high, since 2026-03-06): apologise.",
            "Guardrails: "
            + "; ".join(
                f"{g['action']}{' ' + g['subject'] if g['subject'] else ''}: "
                f"{g['decision'].upper()} ({g['reason']}) [{g['rule_id']}]"
                for g in _guardrails(p)
            )
            + ".",
            "Freshness: crm data as of 2026-03-08 02:00 UTC.",
        ]
    )
    return json.dumps(context), text


def retrieval_candidates(
    people: range,
    emails: dict[int, str] | None = None,
    extra_lookups: list[dict[str, Any]] | None = None,
) -> Candidates:
    """Candidate tables for ``people`` (``emails`` overrides a person's email; ``extra_lookups``
    are identifier_lookup rows added as given)."""
    emails = emails or {}
    profiles, contexts = [], []
    lookups: list[dict[str, Any]] = []
    for n in people:
        p = retrieval_person(n, emails.get(n))
        profile = _profile(p, n)
        profiles.append(profile)
        context, text = _context(p, profile)
        contexts.append({"customer_id": p["customer_id"], "context": context, "context_text": text})
        kinds = [k for k in p if k not in ("customer_id", "birth_date", "address_line1")]
        shared = [("phone", LANDLINE)] if n in (1, 2) else []
        for kind, value in [(k, p[k]) for k in kinds] + shared:
            lookups.append(
                {
                    "identifier_type": kind,
                    "identifier_value": value,
                    "customer_id": p["customer_id"],
                    "is_current": True,
                }
            )
    lookups += extra_lookups or []
    lookup = pa.Table.from_pylist(lookups)
    counted: dict[tuple[str, str], int] = {}
    for row in lookups:
        key = (row["identifier_type"], row["identifier_value"])
        counted[key] = counted.get(key, 0) + 1
    counts = [counted[(r["identifier_type"], r["identifier_value"])] for r in lookups]
    lookup = lookup.append_column("customer_count", pa.array(counts, pa.int64()))
    lookup = lookup.append_column("is_shared", pa.array([c > 1 for c in counts]))
    lookup = lookup.append_column("resolved_via", pa.array(["record"] * len(counts)))
    stamps = pa.array([_SEEN] * len(counts), pa.timestamp("us", "UTC"))
    lookup = lookup.append_column("first_seen_at", stamps).append_column("last_seen_at", stamps)
    context_table = pa.Table.from_pylist(contexts)
    context_table = context_table.append_column(
        "as_of", pa.array([_SEEN] * len(contexts), pa.timestamp("us", "UTC"))
    )
    return candidates_of(
        {
            "customer_profile": pa.Table.from_pylist(profiles),
            "identifier_lookup": lookup,
            "customer_context": context_table,
        }
    )
