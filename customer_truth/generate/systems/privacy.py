"""Erasure requests: a person asks to be forgotten, naming one identifier the company holds.

The request names an identifier as the person gives it (their email, their phone) or a record
id an agent looked up (`crm_contact_id`, `commerce_customer_id`, `billing_customer_id`,
`support_user_id`). A hard one (`hard_erasure`) names what only one system holds: a work email
(or that system's record id) the person's other records do not carry, or a phone only their
orders carry. The person's systems keep delivering their records afterwards: the
pipeline must keep suppressing them.
"""

from __future__ import annotations

from customer_truth.generate import ids
from customer_truth.generate.clock import iso_z
from customer_truth.generate.life import Life
from customer_truth.generate.records import Version


def _held(life: Life, t: int) -> dict[str, str]:
    """The record ids the person's own records in each system have at time `t`, by the
    contract's identifier type (a household member paid for by another has no Stripe id)."""
    p, ids_ = life.person, life.ids
    out: dict[str, str] = {}
    if ids_.crm_contact and p.since["crm"] <= t:
        out["crm_contact_id"] = ids_.crm_contact
    if ids_.shop_customer and p.since["commerce"] <= t:
        out["commerce_customer_id"] = str(ids_.shop_customer)
    if ids_.stripe_customer and p.billing_payer and p.since["billing"] <= t:
        out["billing_customer_id"] = ids_.stripe_customer
    if ids_.zendesk_user and p.since["support"] <= t:
        out["support_user_id"] = str(ids_.zendesk_user)
    return out


_HOLDER_ID = {
    "crm": "crm_contact_id",
    "billing": "billing_customer_id",
    "support": "support_user_id",
}


def erasure_request(life: Life) -> None:
    p = life.person
    t = p.erasure_at
    if t is None:
        return
    rng = life.stream("privacy")
    # the identifier the person (or the agent who took the request) would name, among those
    # the company's systems hold for them
    u = rng.random()
    held = _held(life, t)
    if p.erasure_names is not None:
        # hard: the identifier only one system holds, so the erasure must follow the person
        # from that record to the others through their own identifiers
        holder, what = p.erasure_names
        record_id = held.get(_HOLDER_ID.get(holder, ""))
        if what == "sole_phone":
            kind, value = "phone", p.sole_phone or ""
        elif record_id and u < 0.5:
            kind, value = _HOLDER_ID[holder], record_id
        else:
            kind, value = "email", p.work_email or ""
    elif u < 0.35 and held:
        # a record id an agent looked up: any system's, as the request came in
        kind = sorted(held)[rng.randrange(len(held))]
        value = held[kind]
    elif u < 0.55 or not (p.shop_account or "crm" in p.systems or "support" in p.systems):
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
    hard = p.erasure_names is not None
    life.add(
        "privacy",
        "erasure_requests",
        request_id,
        [Version(t, payload)],
        noise=("hard_erasure",) if hard else (),
    )
    life.erasures.append(
        {
            "request_id": request_id,
            "person_id": p.person_id,
            "identifier_type": kind,
            "identifier_value": value,
            "requested_at": iso_z(t),
            "hard": hard,
        }
    )
