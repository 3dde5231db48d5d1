"""Issue journeys that cross channels, planted as incidents with their truth.

- delivery_delayed: a shipment misses its promised date; the customer reads help articles,
  calls with the order number, writes a ticket typing the order name their own way; the parcel
  arrives late, or is lost and refunded, or is still moving when the world ends.
- payment_failed: a subscription charge is declined; Stripe retries on a schedule
  (`attempt_count`, `next_payment_attempt`), the customer may call, update the card, or not.
- bad_csat_open: a solved ticket is rated bad and reopened.
(repeat_contact is computed from the contacts themselves, see `truth.repeat_contacts`.)

No draw here depends on the world's horizon: a journey is generated whole and cut later by
batch time, which keeps `--days D+1` an extension of `--days D`.
"""

from __future__ import annotations

import random

from customer_truth.generate.clock import DAY, HOUR
from customer_truth.generate.life import Life
from customer_truth.generate.people import Device
from customer_truth.generate.reference import HELP_ARTICLES
from customer_truth.generate.systems import support
from customer_truth.generate.systems.billing import (
    DECLINES,
    Invoice,
    StripeCustomer,
    add_charge,
    charge_payload,
)
from customer_truth.generate.systems.commerce import Order
from customer_truth.generate.systems.contact_center import Placed, place_contact
from customer_truth.generate.systems.digital import message, session_ip
from customer_truth.generate.systems.logistics import Shipment
from customer_truth.generate.truth import REPEAT_COUNT


def help_visit(
    life: Life,
    rng: random.Random,
    device: Device,
    t: int,
    intent: str,
    user_id: int | None,
    journey_id: str | None,
    order_name: str | None,
) -> None:
    """A visitor reading help articles about `intent` (and sometimes opening the contact form)."""
    ip = session_ip(rng)
    ms = t * 1000
    for slug, title in HELP_ARTICLES[intent][: rng.randint(1, 2)]:
        message(
            life,
            rng,
            device,
            ms,
            "page",
            ip=ip,
            name=title,
            path=f"/help/{slug}",
            title=title,
            user_id=user_id,
            properties={"path": f"/help/{slug}"},
            journey_id=journey_id,
        )
        props = {"article_id": slug, "title": title}
        if order_name and rng.random() < 0.5:
            props["order_id"] = order_name
        message(
            life,
            rng,
            device,
            ms + 900,
            "track",
            ip=ip,
            event="Help Article Viewed",
            properties=props,
            path=f"/help/{slug}",
            title=title,
            user_id=user_id,
            journey_id=journey_id,
        )
        ms += rng.randint(20_000, 180_000)
    if rng.random() < 0.25:
        message(
            life,
            rng,
            device,
            ms + 4000,
            "track",
            ip=ip,
            event="Contact Form Submitted",
            properties={"topic": intent},
            path="/pages/contact",
            title="Contact us",
            user_id=user_id,
            journey_id=journey_id,
        )


def _conversation(
    life: Life,
    rng: random.Random,
    t: int,
    intent: str,
    journey_id: str | None,
    order_name: str | None,
    *,
    resolution: str | None = None,
    channel: str | None = None,
) -> tuple[list[str], Placed]:
    """A first contact and, now and then, its transfer (the leg whose resolution counts)."""
    outcome = "agent" if resolution == "resolved" else None  # only an agent resolves
    placed = place_contact(
        life,
        rng,
        t,
        intent,
        channel=channel,
        outcome=outcome,
        order_name=order_name,
        journey_id=journey_id,
        resolution=resolution,
    )
    ids = [placed.contact_id]
    if rng.random() < 0.2:
        leg = place_contact(
            life,
            rng,
            placed.ended + rng.randint(5, 60),
            intent,
            channel="VOICE",
            order_name=order_name,
            journey_id=journey_id,
            previous=placed,
            resolution=resolution,
        )
        ids.append(leg.contact_id)
    return ids, placed


def repeat_streak(
    life: Life,
    rng: random.Random,
    t: int,
    intent: str,
    journey_id: str | None,
    order_name: str | None,
    n: int,
    channel: str | None = None,
) -> list[str]:
    """`n` first contacts about one issue, hours to two days apart, none of which resolves it
    (the agent follows up or escalates); then, unless `repeat_unresolved` is drawn, one more
    contact a few days on resolves it. Returns every contact id written."""
    ids: list[str] = []
    for _ in range(n):
        legs, placed = _conversation(
            life,
            rng,
            t,
            intent,
            journey_id,
            order_name,
            resolution=_unresolved(rng),
            channel=channel,
        )
        ids += legs
        t = placed.ended + rng.randint(6 * HOUR, 2 * DAY)
    if life.dice(rng).hit("repeat_unresolved"):
        last = next(r for r in reversed(life.records) if r.record_id == ids[-1])
        last.noise += ("repeat_unresolved",)
    else:
        channel = "VOICE" if rng.random() < 0.7 else "CHAT"  # a channel that states its intent
        legs, _ = _conversation(
            life,
            rng,
            t + rng.randint(0, 3 * DAY),
            intent,
            journey_id,
            order_name,
            resolution="resolved",
            channel=channel,
        )
        ids += legs
    return ids


def _unresolved(rng: random.Random) -> str:
    return "follow_up" if rng.random() < 0.6 else "escalated"


def _contacts(
    life: Life,
    rng: random.Random,
    start: int,
    intent: str,
    journey_id: str,
    order_name: str | None,
    repeat_p: float,
) -> list[str]:
    """The customer's contacts about one issue: one conversation, or a repeat streak."""
    if rng.random() < repeat_p:
        return repeat_streak(
            life, rng, start, intent, journey_id, order_name, REPEAT_COUNT + rng.randint(0, 1)
        )
    return _conversation(life, rng, start, intent, journey_id, order_name)[0]


def delayed_delivery(
    life: Life,
    rng: random.Random,
    order: Order,
    shipment: Shipment,
    device: Device | None,
    user_id: int | None,
) -> None:
    p = life.person
    overdue = shipment.overdue_at or shipment.created
    inc = life.incident(
        "delivery_delayed",
        overdue,
        None,
        {
            "order_name": order.name,
            "order_id": str(order.order_id),
            "tracking_code": None,
            "contact_ids": [],
            "ticket_id": None,
        },
    )
    journey = inc.incident_id
    shipment.journey_id = journey
    shipment.refs.append(inc.refs)
    if device is not None:
        help_visit(
            life,
            rng,
            device,
            overdue + rng.randint(2 * HOUR, 30 * HOUR),
            "where_is_my_order",
            user_id,
            journey,
            order.name,
        )
    # how the issue ends decides when the contacts stop
    if shipment.outcome == "lost":
        lost_at = shipment.steps[-1][0]
        resolved = lost_at + rng.randint(HOUR, 3 * DAY)
        order.refund(resolved, "Lost in transit: full refund", order.total)
    else:
        resolved = shipment.resolved_at or overdue + 10 * DAY
        if rng.random() < 0.3:
            order.refund(
                resolved + rng.randint(HOUR, 2 * DAY),
                "Shipping refund for the delay",
                min(order.total, 995),
            )
    inc.resolved_at = resolved
    if "contact_center" in p.systems and rng.random() < 0.8:
        inc.refs["contact_ids"] = _contacts(
            life,
            rng,
            overdue + rng.randint(12 * HOUR, 60 * HOUR),
            "where_is_my_order",
            journey,
            order.name,
            0.35,
        )
    opened = overdue + rng.randint(DAY, 3 * DAY)
    if (
        "support" in p.systems
        and life.ids.zendesk_user
        and rng.random() < 0.65
        and (
            opened >= p.since["support"]  # a requester exists before their ticket
        )
    ):
        tk = support.plan_ticket(
            life,
            rng,
            opened,
            "where_is_my_order",
            order_name=order.name,
            resolve_after=resolved,
            bad_csat=rng.random() < 0.12,
        )
        support.write_ticket(life, tk, journey)
        inc.refs["ticket_id"] = str(tk.tid)
        _bad_csat(life, tk, journey)


def _bad_csat(life: Life, tk: support.Ticket, journey: str | None) -> str | None:
    """A reopened ticket rated bad is an incident of its own until it is solved again."""
    reopened = next((t for t, s, score, _ in tk.states if s == "open" and score == "bad"), None)
    if reopened is None:
        return None
    inc = life.incident(
        "bad_csat_open",
        reopened,
        tk.solved_at(after=reopened),
        {"ticket_id": str(tk.tid), "order_name": tk.order_name, "related_journey_id": journey},
    )
    return inc.incident_id


def service_ticket(life: Life, rng: random.Random, t: int, intent: str) -> None:
    tk = support.plan_ticket(life, rng, t, intent, bad_csat=rng.random() < 0.05)
    support.write_ticket(life, tk, _bad_csat(life, tk, None))


def failed_payment(
    life: Life, rng: random.Random, cust: StripeCustomer, inv: Invoice, card: str
) -> list[str]:
    """Declined charges and Stripe's retries on `inv`; returns the charge ids written."""
    p = life.person
    decline = rng.choice(DECLINES)
    first = inv.created + HOUR
    inv.states.append((inv.created, "draft", 0, None, None, None))
    inc = life.incident(
        "payment_failed",
        first,
        None,
        {"invoice_id": inv.iid, "charge_ids": [], "contact_ids": [], "ticket_id": None},
    )
    journey = inc.incident_id
    charges: list[str] = []
    paid_at: int | None = None
    retries = (3 * DAY, 5 * DAY, 7 * DAY)
    t = first
    for attempt in range(4):
        ok = attempt > 0 and rng.random() < 0.35
        n = life.counter("charge")
        payload = charge_payload(life, n, inv, t, None if ok else decline, card)
        charges.append(payload["id"])
        add_charge(life, payload, t, journey)
        if ok:
            inv.states.append((t, "paid", attempt + 1, None, t, payload["id"]))
            paid_at = t
            break
        nxt = t + retries[attempt] if attempt < 3 else None
        inv.states.append((t, "open", attempt + 1, nxt, None, payload["id"]))
        if nxt is None:
            inv.states.append((t + HOUR, "uncollectible", attempt + 1, None, None, payload["id"]))
            break
        t = nxt
    contacts: list[str] = []
    if "contact_center" in p.systems and rng.random() < 0.6:
        contacts = _contacts(
            life, rng, first + rng.randint(12 * HOUR, 3 * DAY), "billing_issue", journey, None, 0.2
        )
    if paid_at is None and rng.random() < 0.45:
        # the customer updates the card; Stripe pays the invoice at once
        fix = first + rng.randint(2 * DAY, 14 * DAY)
        n = life.counter("charge")
        payload = charge_payload(life, n, inv, fix, None, str(rng.randint(1000, 9999)))
        charges.append(payload["id"])
        add_charge(life, payload, fix, journey)
        last = inv.states[-1]
        inv.states.append((max(fix, last[0] + 1), "paid", last[2] + 1, None, fix, payload["id"]))
        paid_at = fix
    closed_at = paid_at
    if paid_at is None and rng.random() < 0.5:
        # written off: the invoice is voided a month on, which ends the condition too
        last = inv.states[-1]
        closed_at = max(first + 30 * DAY, last[0] + 1)
        inv.states.append((closed_at, "void", last[2], None, None, last[5]))
    opened = first + rng.randint(DAY, 4 * DAY)
    if (
        "support" in p.systems
        and life.ids.zendesk_user
        and rng.random() < 0.3
        and opened >= p.since["support"]
    ):
        tk = support.plan_ticket(life, rng, opened, "billing_issue", resolve_after=closed_at)
        support.write_ticket(life, tk, journey)
        inc.refs["ticket_id"] = str(tk.tid)
    cust.changes.append((first, "delinquent", True))
    if closed_at is not None:
        cust.changes.append((closed_at, "delinquent", False))
    inc.resolved_at = closed_at
    inc.refs["charge_ids"] = charges
    inc.refs["contact_ids"] = contacts
    return charges
