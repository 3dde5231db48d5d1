"""Erasure requests: a person asks to be forgotten, naming one identifier the company holds.

The request names an identifier as the person gives it (their email, their phone, or the CRM
id an agent looked up). The person's systems keep delivering their records afterwards: the
pipeline must keep suppressing them.
"""

from __future__ import annotations

from customer_truth.generate import ids
from customer_truth.generate.clock import iso_z
from customer_truth.generate.life import Life
from customer_truth.generate.records import Version


def erasure_request(life: Life) -> None:
    p = life.person
    t = p.erasure_at
    if t is None:
        return
    rng = life.stream("privacy")
    # the identifier the person (or the agent who took the request) would name, among those
    # the company's systems hold for them
    u = rng.random()
    in_crm = life.ids.crm_contact is not None and p.since["crm"] <= t
    if u < 0.25 and in_crm:
        kind, value = "crm_contact_id", life.ids.crm_contact or ""
    elif u < 0.45 or not (p.shop_account or in_crm or "support" in p.systems):
        kind, value = "phone", p.mobile_at(t)
    else:
        kind, value = "email", p.email
    request_id = "er_" + ids.stripe_id("", p.idx, life.seed, 16)
    payload = {
        "request_id": request_id,
        "identifier_type": kind,
        "identifier_value": value,
        "requested_at": iso_z(t),
        "source": rng.choice(("web_form", "email", "agent")),
    }
    life.add("privacy", "erasure_requests", request_id, [Version(t, payload)])
    life.erasures.append(
        {
            "request_id": request_id,
            "person_id": p.person_id,
            "identifier_type": kind,
            "identifier_value": value,
            "requested_at": iso_z(t),
        }
    )
