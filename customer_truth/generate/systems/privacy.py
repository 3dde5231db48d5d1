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
from customer_truth.generate.noise import phone_key
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


def _carried_before(life: Life, key: str | None, t: int) -> bool:
    """Whether a record of the person carrying `key` (as an identifier or a link) was created
    before `t`: a request can only name what the company's data holds by then."""
    return key is not None and any(
        (key in rec.keys or key in rec.links) and rec.versions[0].at < t for rec in life.records
    )


_HOLDER_ID = {
    "crm": "crm_contact_id",
    "billing": "billing_customer_id",
    "support": "support_user_id",
}


def _hard_pick(life: Life, held: dict[str, str], t: int, u: float) -> tuple[str, str] | None:
    """The identifier only one system holds, so the erasure must follow the person from that
    record to the others through their own identifiers; None when the data holds none by `t`
    (a phone only orders carry, before any order carried it)."""
    p = life.person
    assert p.erasure_names is not None
    holder, what = p.erasure_names
    record_id = held.get(_HOLDER_ID.get(holder, ""))
    if what == "sole_phone":
        if p.sole_phone and _carried_before(life, phone_key(p.sole_phone), t):
            return "phone", p.sole_phone
        return None
    if record_id and u < 0.5:
        return _HOLDER_ID[holder], record_id
    return ("email", p.work_email) if p.work_email else None


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
    hard_pick = _hard_pick(life, held, t, u) if p.erasure_names is not None else None
    if hard_pick is not None:
        kind, value = hard_pick
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
    hard = hard_pick is not None
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
