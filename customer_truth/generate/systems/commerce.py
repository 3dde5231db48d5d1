"""Shopify: customers and orders as a bulk operation exports them (times in the shop's zone).

People type their own names and addresses here; Shopify stores the customer's phone as E.164
but keeps the address phone as typed. An order is exported again whole whenever it changes
(fulfilled, refunded, cancelled).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from customer_truth.generate import phones
from customer_truth.generate.clock import DAY, shop_time
from customer_truth.generate.ids import (
    ORDER_NUMBER_BASE,
    SHOP_FULFILLMENT_BASE,
    SHOP_ORDER_BASE,
    SHOP_REFUND_BASE,
)
from customer_truth.generate.life import Life
from customer_truth.generate.noise import email_key, phone_key
from customer_truth.generate.people import SOLE_PHONE_ORDERS, Address, Person
from customer_truth.generate.records import Version
from customer_truth.generate.reference import CURRENCY


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _consent(p: Person, t: int, created: int) -> dict[str, Any]:
    if p.opted_out_at(t):
        return {
            "state": "unsubscribed",
            "opt_in_level": "single_opt_in",
            "consent_updated_at": shop_time(p.email_opt_out_at or t),
        }
    if p.marketing_opt_in:
        return {
            "state": "subscribed",
            "opt_in_level": "single_opt_in",
            "consent_updated_at": shop_time(created),
        }
    return {"state": "not_subscribed", "opt_in_level": "single_opt_in", "consent_updated_at": None}


def _address_obj(addr: Address, first: str, last: str, phone: str | None) -> dict[str, Any]:
    return {
        "first_name": first,
        "last_name": last,
        "address1": addr.line1,
        "address2": addr.line2 or None,
        "city": addr.city,
        "province_code": addr.region if addr.country in ("US", "CA", "DE") else None,
        "zip": addr.postal_code,
        "country_code": addr.country,
        "phone": phone,
    }


def shop_customers(life: Life) -> None:
    p = life.person
    if not p.shop_account or life.ids.shop_customer is None:
        return
    rng = life.stream("shop-customer")
    dice = life.dice(rng)
    _customer(life, rng, life.ids.shop_customer, p.since["commerce"], p.email, ())
    if dice.hit("duplicate_shop_account"):
        # a second account, opened with another address: the work one, or an older one
        work = bool(p.work_email_in and p.work_email)
        other = p.work_email if work and p.work_email else p.other_email
        since = max(
            p.since["commerce"] + 20 * DAY,
            rng.randint(p.since["commerce"], p.since["commerce"] + 400 * DAY),
        )
        noise = ("duplicate_shop_account",) + (("work_email",) if work else ())
        _customer(life, rng, life.ids.shop_duplicate or 0, since, other, noise)


def _customer(
    life: Life, rng: random.Random, cid: int, created: int, email: str, noise: tuple[str, ...]
) -> None:
    p = life.person
    ty = life.typist(rng, agent=False)
    # Shopify lower-cases emails; people still type their names their own way
    has_phone = rng.random() < 0.55
    tags = rng.choice(("", "", "newsletter", "vip", "wholesale, vip", "plus-member"))
    verified = rng.random() < 0.9

    def payload(t: int, addr: Address, mobile: str, name_t: int) -> dict[str, Any]:
        first, last = ty.names(name_t)
        typed = phones.typed(rng_for_phone, mobile, False, False) if has_phone else None
        return {
            "id": cid,
            "email": email.lower(),
            "phone": ty.e164(mobile) if has_phone else None,
            "first_name": first,
            "last_name": last,
            "state": "enabled",
            "verified_email": verified,
            "email_marketing_consent": _consent(p, t, created),
            "default_address": _address_obj(addr, first, last, typed),
            "tags": tags,
            "currency": CURRENCY[p.country],
            "created_at": shop_time(created),
            "updated_at": shop_time(t),
        }

    rng_for_phone = random.Random(rng.getrandbits(32))
    addr, mobile, name_t = p.address_at(created), p.mobile_at(created), created
    versions = [Version(created, payload(created, addr, mobile, name_t))]
    updates: list[tuple[int, str]] = []
    for since, _ in p.addresses[1:]:
        if since > created and rng.random() < 0.75:
            updates.append((since + rng.randint(0, 20 * DAY), "addr"))
    for since, _ in p.mobiles[1:]:
        if since > created and rng.random() < 0.4:
            updates.append((since + rng.randint(0, 30 * DAY), "mobile"))
    if p.married_at is not None and p.married_at > created and rng.random() < 0.4:
        updates.append((p.married_at + rng.randint(0, 60 * DAY), "name"))
    if p.email_opt_out_at is not None and p.email_opt_out_at > created:
        updates.append((p.email_opt_out_at, "consent"))
    for t, what in sorted(updates):
        if what == "addr":
            addr = p.address_at(t)
        elif what == "mobile":
            mobile = p.mobile_at(t)
        elif what == "name":
            name_t = t
        versions.append(
            Version(
                t,
                payload(t, addr, mobile, name_t),
                noise=("address_move",) if what == "addr" else (),
            )
        )
    keys = {f"shop:{cid}", email_key(email)}
    if has_phone:
        keys.update(phone_key(v.payload["phone"]) for v in versions)
    life.add(
        "commerce",
        "customers",
        str(cid),
        versions,
        keys=tuple(sorted(k for k in keys if k)),
        noise=[*noise, *ty.applied],
    )


@dataclass(slots=True)
class Order:
    n: int  # the order's counter
    created: int
    customer_id: int | None
    email: str | None
    phone: str | None
    currency: str
    items: list[tuple[str, str, int, int]]  # sku, title, quantity, unit cents
    ship_to: dict[str, Any]
    browser_ip: str | None
    note_attributes: list[dict[str, str]]
    fulfillments: list[tuple[int, int, str, str]] = field(default_factory=list)
    refunds: list[tuple[int, int, str, int]] = field(default_factory=list)
    cancelled: tuple[int, str] | None = None
    address_phone: str | None = None  # E.164 of the phone typed in its addresses
    customer_email: str | None = None  # the account's email, when checkout used another

    @property
    def order_id(self) -> int:
        return SHOP_ORDER_BASE + self.n

    @property
    def number(self) -> int:
        return ORDER_NUMBER_BASE + self.n

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def total(self) -> int:
        return sum(q * c for _, _, q, c in self.items)

    def fulfill(self, t: int, carrier: str, code: str) -> None:
        k = len(self.fulfillments)
        self.fulfillments.append((t, SHOP_FULFILLMENT_BASE + self.n * 4 + k, carrier, code))

    def refund(self, t: int, note: str, cents: int) -> None:
        k = len(self.refunds)
        self.refunds.append((t, SHOP_REFUND_BASE + self.n * 2 + k, note, cents))

    def change_times(self) -> list[int]:
        out = [self.created] + [f[0] for f in self.fulfillments] + [r[0] for r in self.refunds]
        if self.cancelled:
            out.append(self.cancelled[0])
        return sorted(set(out))

    def payload(self, t: int) -> dict[str, Any]:
        fulfilled = [f for f in self.fulfillments if f[0] <= t]
        refunds = [r for r in self.refunds if r[0] <= t]
        cancelled = self.cancelled if self.cancelled and self.cancelled[0] <= t else None
        refunded = sum(r[3] for r in refunds)
        if cancelled:
            financial = "voided" if not refunds else "refunded"
        elif refunded >= self.total:
            financial = "refunded"
        elif refunded:
            financial = "partially_refunded"
        else:
            financial = "paid"
        return {
            "id": self.order_id,
            "name": self.name,
            "order_number": self.number,
            "email": self.email,
            "phone": self.phone,
            "customer": {"id": self.customer_id, "email": self.customer_email or self.email}
            if self.customer_id is not None
            else None,
            "created_at": shop_time(self.created),
            "updated_at": shop_time(t),
            "processed_at": shop_time(self.created),
            "cancelled_at": shop_time(cancelled[0]) if cancelled else None,
            "cancel_reason": cancelled[1] if cancelled else None,
            "financial_status": financial,
            "fulfillment_status": "fulfilled" if fulfilled else None,
            "currency": self.currency,
            "total_price": _money(self.total),
            "billing_address": self.ship_to,
            "shipping_address": self.ship_to,
            "line_items": [
                {"sku": s, "title": title, "quantity": q, "price": _money(c)}
                for s, title, q, c in self.items
            ],
            "fulfillments": [
                {
                    "id": fid,
                    "status": "success",
                    "tracking_company": carrier,
                    "tracking_number": code,
                    "created_at": shop_time(ft),
                }
                for ft, fid, carrier, code in fulfilled
            ],
            "refunds": [
                {
                    "id": rid,
                    "created_at": shop_time(rt),
                    "note": note,
                    "transactions": [{"amount": _money(cents), "kind": "refund"}],
                }
                for rt, rid, note, cents in refunds
            ],
            "browser_ip": self.browser_ip,
            "note_attributes": self.note_attributes,
        }


def write_order(
    life: Life, order: Order, journey_id: str | None, noise: tuple[str, ...] = ()
) -> None:
    """Add the order's record; call once its whole future (fulfillments, refunds) is known."""
    versions = [Version(t, order.payload(t)) for t in order.change_times()]
    p = life.person
    work = p.work_email
    if work and order.email == work.lower():
        noise += ("work_email",)
    if p.sole_phone_in == SOLE_PHONE_ORDERS and order.address_phone == p.sole_phone:
        noise += ("order_only_phone",)
    if p.checkout_email and order.email == p.checkout_email.lower():
        noise += ("order_only_email",)
    keys = [email_key(order.email), phone_key(order.phone)]
    if order.customer_id is not None:
        keys.append(f"shop:{order.customer_id}")
    # once the order is known to be the person's, what it carries leads to them too
    links = [email_key(order.email), phone_key(order.phone), phone_key(order.address_phone)]
    links += ["order:" + order.name] + ["trk:" + f[3] for f in order.fulfillments]
    links += [
        "anon:" + a["value"] for a in order.note_attributes if a["name"] == "segment_anonymous_id"
    ]
    life.add(
        "commerce",
        "orders",
        str(order.order_id),
        versions,
        keys=tuple(k for k in keys if k),
        occurred_at=order.created,
        journey_id=journey_id,
        links=tuple(k for k in links if k),
        noise=noise,
    )


def new_order(
    life: Life, rng: random.Random, t: int, *, account: bool, anon: str | None, ip: str | None
) -> Order:
    p = life.person
    from customer_truth.generate.reference import PRODUCTS

    items = []
    for sku, title, cents in rng.sample(PRODUCTS, rng.choice((1, 1, 1, 2, 2, 3))):
        items.append((sku, title, rng.choice((1, 1, 1, 2)), cents))
    addr = p.address_at(t)
    ty = life.typist(rng, agent=False)
    first, last = ty.names(t)
    u = rng.random()
    phone = p.mobile_at(t) if u < 0.6 else None
    address_phone = phone
    if p.sole_phone_in == SOLE_PHONE_ORDERS:
        # the number they give at checkout: on the order, or only in its addresses
        phone = p.sole_phone if u < 0.5 else None
        address_phone = p.sole_phone
    ship_to = _address_obj(
        addr, first, last, phones.typed(rng, address_phone, False, False) if address_phone else None
    )
    if account:
        customer_id = life.ids.shop_customer
        email = p.email.lower()
    else:
        customer_id = None
        work = p.work_email_in and p.work_email and rng.random() < 0.15
        email = (p.work_email if work and p.work_email else p.email).lower()
    customer_email = email if account else None
    if p.checkout_email:
        email = p.checkout_email.lower()  # the address they always check out with
    notes = []
    if anon is not None and rng.random() < 0.45:
        notes.append({"name": "segment_anonymous_id", "value": anon})
    if rng.random() < 0.05:
        notes.append({"name": "gift_message", "value": "Happy birthday!"})
    return Order(
        life.counter("order"),
        t,
        customer_id,
        email,
        phone,
        CURRENCY[p.country],
        items,
        ship_to,
        ip,
        notes,
        address_phone=address_phone,
        customer_email=customer_email,
    )
