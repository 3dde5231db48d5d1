"""Stripe: customers, subscription invoices and their charges, as API objects (Unix seconds).

Stripe objects carry no modification time: the extract that delivered a version last wins, so
the generator never delivers an older Stripe version after a newer one. A deleted customer
comes back as the stub `{"id", "object": "customer", "deleted": true}`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from customer_truth.generate import ids
from customer_truth.generate.clock import DAY, FULL_DAY, HISTORY_START
from customer_truth.generate.life import Life
from customer_truth.generate.noise import email_key
from customer_truth.generate.records import Version
from customer_truth.generate.reference import CURRENCY, EMPLOYERS
from customer_truth.generate.rng import between

DECLINES = (
    ("card_declined", "Your card was declined.", "generic_decline"),
    ("insufficient_funds", "Your card has insufficient funds.", "insufficient_funds"),
    ("expired_card", "Your card has expired.", "expired_card"),
)


@dataclass(slots=True)
class StripeCustomer:
    cid: str
    created: int
    base: dict[str, Any]  # the payload at creation
    keys: tuple[str, ...]
    noise: tuple[str, ...]
    # (time, field, value): later changes to the payload
    changes: list[tuple[int, str, Any]] = field(default_factory=list)
    deleted_at: int | None = None


def _address(addr: Any) -> dict[str, Any]:
    return {
        "line1": addr.line1,
        "line2": addr.line2 or None,
        "city": addr.city,
        "state": addr.region,
        "postal_code": addr.postal_code,
        "country": addr.country,
    }


def plan_customer(life: Life, rng: random.Random) -> StripeCustomer:
    """The paying person's Stripe customer (its deletion and delinquency come later)."""
    p = life.person
    ty = life.typist(rng, agent=False)
    created = p.since["billing"]
    first, last = ty.names(created)
    name = f"{first} {last}"
    if "billing" in p.work_email_in and p.work_email:
        email = p.work_email
        if p.employer is not None and rng.random() < 0.6:
            name = f"{EMPLOYERS[p.employer][0]} ({first} {last})"
    elif (
        p.household
        and p.household.payer == p.idx
        and p.household.family_email
        and (rng.random() < 0.35)
    ):
        email = p.household.family_email
    else:
        email = p.email
    typed_email = ty.email(email)
    phone = ty.phone(p.mobile_at(created)) if rng.random() < 0.5 else None
    metadata: dict[str, str] = {}
    if life.ids.crm_contact and p.since["crm"] <= created and rng.random() < 0.5:
        metadata["crm_contact_id"] = life.ids.crm_contact
    if life.ids.shop_customer and rng.random() < 0.4:
        metadata["shop_customer_id"] = str(life.ids.shop_customer)
    cid = life.ids.stripe_customer
    assert cid is not None
    base = {
        "id": cid,
        "object": "customer",
        "email": typed_email,
        "phone": phone,
        "name": name,
        "address": _address(p.address_at(created)),
        "metadata": metadata,
        "delinquent": False,
        "created": created,
        "currency": CURRENCY[p.country].lower(),
        "livemode": True,
        "invoice_prefix": ids.stripe_id("", p.idx, life.seed, 8).upper(),
    }
    keys = [f"cus:{cid}", email_key(typed_email)]
    if phone:
        keys.append(ty.phone_key(p.mobile_at(created)))
    keys += [f"crm:{v}" if k == "crm_contact_id" else f"shop:{v}" for k, v in metadata.items()]
    noise = tuple(ty.applied) + (("work_email",) if email == p.work_email else ())
    c = StripeCustomer(cid, created, base, tuple(k for k in keys if k), noise)
    for since, addr in p.addresses[1:]:
        if since > created and rng.random() < 0.5:
            c.changes.append((since + rng.randint(DAY, 45 * DAY), "address", _address(addr)))
    dice = life.dice(rng)
    if dice.hit("deleted_billing_customer"):
        forced = "deleted_billing_customer" in p.forced
        c.deleted_at = (
            FULL_DAY + 17 * 3600
            if forced
            else between(rng, max(created + 30 * DAY, FULL_DAY - 60 * DAY), FULL_DAY + 60 * DAY)
        )
    return c


def write_customer(life: Life, c: StripeCustomer) -> None:
    state = dict(c.base)
    versions = [Version(c.created, dict(state))]
    for t, name, value in sorted(c.changes, key=lambda ch: ch[0]):
        if c.deleted_at is not None and t >= c.deleted_at:
            break
        state[name] = value
        versions.append(
            Version(t, dict(state), noise=("address_move",) if name == "address" else ())
        )
    noise = list(c.noise)
    if c.deleted_at is not None:
        versions.append(
            Version(
                c.deleted_at,
                {"id": c.cid, "object": "customer", "deleted": True},
                deleted=True,
                noise=("deleted_billing_customer",),
            )
        )
    # Stripe has no modification time: two versions in the same second would be ambiguous
    for a, b in zip(versions, versions[1:], strict=False):
        if b.at <= a.at:
            b.at = a.at + 1
    life.add("billing", "customers", c.cid, versions, keys=c.keys, noise=noise)


@dataclass(slots=True)
class Invoice:
    iid: str
    customer: str
    email: str | None
    created: int
    amount: int
    currency: str
    reason: str
    subscription: str
    # (time, status, attempt_count, next_attempt, paid_at, charge id)
    states: list[tuple[int, str, int, int | None, int | None, str | None]] = field(
        default_factory=list
    )

    def payload(self, k: int) -> dict[str, Any]:
        t, status, attempts, next_at, paid_at, charge = self.states[k]
        paid = status == "paid"
        finalized = self.states[1][0] if len(self.states) > 1 else None
        uncollectible = next((s[0] for s in self.states[: k + 1] if s[1] == "uncollectible"), None)
        voided = next((s[0] for s in self.states[: k + 1] if s[1] == "void"), None)
        return {
            "id": self.iid,
            "object": "invoice",
            "customer": self.customer,
            "customer_email": self.email,
            "status": status,
            "amount_due": self.amount,
            "amount_paid": self.amount if paid else 0,
            "amount_remaining": 0 if paid else self.amount,
            "currency": self.currency,
            "attempt_count": attempts,
            "attempted": attempts > 0,
            "next_payment_attempt": next_at,
            "billing_reason": self.reason,
            "collection_method": "charge_automatically",
            "created": self.created,
            "due_date": None,
            "period_start": self.created,
            "period_end": self.created,
            "subscription": self.subscription,
            "charge": charge,
            "paid": paid,
            "status_transitions": {
                "finalized_at": finalized if status != "draft" else None,
                "paid_at": paid_at,
                "voided_at": voided,
                "marked_uncollectible_at": uncollectible,
            },
        }


def charge_payload(
    life: Life, n: int, inv: Invoice, t: int, decline: tuple[str, str, str] | None, card_last4: str
) -> dict[str, Any]:
    """The charge of counter `n` (its payment intent shares the counter)."""
    p = life.person
    chid = ids.stripe_id("ch_", n, life.seed)
    addr = p.address_at(t)
    failed = decline is not None
    return {
        "id": chid,
        "object": "charge",
        "customer": inv.customer,
        "invoice": inv.iid,
        "payment_intent": ids.stripe_id("pi_", n, life.seed, 24),
        "amount": inv.amount,
        "amount_captured": 0 if failed else inv.amount,
        "amount_refunded": 0,
        "currency": inv.currency,
        "status": "failed" if failed else "succeeded",
        "paid": not failed,
        "failure_code": decline[0] if decline else None,
        "failure_message": decline[1] if decline else None,
        "outcome": {
            "type": "issuer_declined" if failed else "authorized",
            "network_status": "declined_by_network" if failed else "approved_by_network",
            "reason": decline[2] if decline else None,
            "seller_message": "The bank did not return any further details with this decline."
            if failed
            else "Payment complete.",
            "risk_level": "normal",
        },
        "billing_details": {
            "name": f"{p.given_name} {p.family_name_at(t)}",
            # the card's own billing email when the person gave one, else the customer's
            "email": p.card_email or inv.email,
            "phone": None,
            "address": _address(addr),
        },
        "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": card_last4}},
        "created": t,
    }


def history_start_cycle(created: int, period: int) -> int:
    """The first billing cycle at or after the history start."""
    if created >= HISTORY_START:
        return created
    k = (HISTORY_START - created + period - 1) // period
    return created + k * period


def add_charge(life: Life, payload: dict[str, Any], t: int, journey_id: str | None = None) -> None:
    """Add a charge record; once it is known to be the person's (through its customer), the
    billing email it carries leads to them too."""
    email = email_key(payload["billing_details"]["email"])
    card = life.person.card_email
    life.add(
        "billing",
        "charges",
        payload["id"],
        [Version(t, payload)],
        keys=(f"cus:{payload['customer']}",),
        occurred_at=t,
        journey_id=journey_id,
        links=(email,) if email else (),
        noise=("charge_only_email",) if card and email == email_key(card) else (),
    )
