"""What a person does over the simulated calendar, process by process.

Each process (shopping and browsing, service contacts, billing cycles) draws from its own named
stream and runs from the history start to the world's horizon: the loop stops at the first
event past the horizon, and nothing inside an event looks at the horizon. So a longer world
replays the shorter one exactly and only appends.
"""

from __future__ import annotations

from customer_truth.generate import ids
from customer_truth.generate.clock import DAY, FULL_DAY, HISTORY_START, HOUR
from customer_truth.generate.journeys import (
    delayed_delivery,
    failed_payment,
    repeat_streak,
    service_ticket,
)
from customer_truth.generate.life import Life
from customer_truth.generate.people import Device
from customer_truth.generate.records import Version
from customer_truth.generate.reference import CURRENCY, INTENTS, PAGES, PRODUCTS
from customer_truth.generate.systems import billing, support
from customer_truth.generate.systems.commerce import Order, new_order
from customer_truth.generate.systems.contact_center import place_contact
from customer_truth.generate.systems.digital import message, session_ip
from customer_truth.generate.systems.logistics import Shipment, plan_shipment
from customer_truth.generate.truth import REPEAT_COUNT

ORDER_EVERY = 95 * DAY
BROWSE_EVERY = 75 * DAY
CONTACT_EVERY = 85 * DAY
TICKET_EVERY = 120 * DAY
DELAY_RATE = 0.04
PAYMENT_FAILURE_RATE = 0.035


class Shopper:
    """The shopping-and-browsing process of one person, with its devices' sign-in state."""

    def __init__(self, life: Life) -> None:
        self.life = life
        self.p = life.person
        self.rng = life.stream("shop")
        self.linked: set[str] = set()
        self.orders: list[tuple[Order, Shipment | None, str | None]] = []

    def _device(self) -> Device:
        devices = self.p.devices
        weights = [{"desktop": 6, "mobile": 4, "work": 1}[d.kind] for d in devices]
        return self.rng.choices(devices, weights)[0]

    def _account_open(self, t: int) -> bool:
        return self.p.shop_account and self.p.since["commerce"] <= t

    def _user_id(self, device: Device) -> int | None:
        if device.anonymous_id in self.linked and self.rng.random() < 0.85:
            return self.life.ids.shop_customer
        return None

    def _sign_in(self, device: Device, ms: int, ip: str) -> int:
        """Link the device to the account: identify with traits, sometimes alias instead."""
        life, rng, p = self.life, self.rng, self.p
        uid = life.ids.shop_customer
        if rng.random() < 0.15:
            message(
                life,
                rng,
                device,
                ms,
                "alias",
                ip=ip,
                user_id=uid,
                previous_id=device.anonymous_id,
                path="/account/login",
                title="Sign in",
            )
        else:
            traits = {
                "email": p.email,
                "firstName": p.given_name,
                "lastName": p.family_name_at(ms // 1000),
            }
            if rng.random() < 0.4:
                traits["phone"] = p.mobile_at(ms // 1000)
            message(
                life,
                rng,
                device,
                ms,
                "identify",
                ip=ip,
                user_id=uid,
                traits=traits,
                path="/account/login",
                title="Sign in",
            )
        message(
            life,
            rng,
            device,
            ms + 700,
            "track",
            ip=ip,
            event="Signed In",
            properties={"method": "password"},
            user_id=uid,
            path="/account",
            title="Account",
        )
        self.linked.add(device.anonymous_id)
        return ms + 5000

    def browse(self, t: int) -> None:
        life, rng = self.life, self.rng
        device = self._device()
        ip = session_ip(rng)
        ms = t * 1000
        uid = self._user_id(device)
        name, path = rng.choice(PAGES)
        message(
            life,
            rng,
            device,
            ms,
            "page",
            ip=ip,
            name=name,
            path=path,
            title=name,
            user_id=uid,
            properties={"path": path},
        )
        for _ in range(rng.choice((0, 1, 1, 2))):
            ms += rng.randint(10_000, 120_000)
            sku, title, cents = rng.choice(PRODUCTS)
            message(
                life,
                rng,
                device,
                ms,
                "track",
                ip=ip,
                event="Product Viewed",
                properties={"product_id": sku, "name": title, "price": cents / 100},
                path=f"/products/{sku.lower()}",
                title=title,
                user_id=uid,
            )
        if (
            uid is None
            and self._account_open(t)
            and device.anonymous_id not in self.linked
            and rng.random() < 0.3
        ):
            self._sign_in(device, ms + 20_000, ip)
        elif rng.random() < 0.15:
            message(
                life,
                rng,
                device,
                ms + 30_000,
                "track",
                ip=ip,
                event="Cart Viewed",
                properties={"cart_id": ids.uuid_from(rng)[:8]},
                path="/cart",
                title="Cart",
                user_id=uid,
            )

    def order(self, t: int) -> None:
        life, rng, p = self.life, self.rng, self.p
        if not life.has_room("order") or not life.has_room("shipment"):
            return
        account = self._account_open(t) and rng.random() < 0.92
        device: Device | None = None
        uid: int | None = None
        ms = t * 1000
        ip = ""
        if p.devices:
            device = self._device()
            ip = session_ip(rng)
            uid = self._user_id(device)
            sku, title, cents = rng.choice(PRODUCTS)
            message(
                life,
                rng,
                device,
                ms,
                "track",
                ip=ip,
                event="Product Viewed",
                properties={"product_id": sku, "name": title, "price": cents / 100},
                path=f"/products/{sku.lower()}",
                title=title,
                user_id=uid,
            )
            ms += rng.randint(20_000, 400_000)
            message(
                life,
                rng,
                device,
                ms,
                "track",
                ip=ip,
                event="Checkout Started",
                properties={"currency": CURRENCY[p.country]},
                path="/checkout",
                title="Checkout",
                user_id=uid,
            )
            if account and uid is None:
                ms = self._sign_in(device, ms + 15_000, ip)
                uid = life.ids.shop_customer
            ms += rng.randint(30_000, 300_000)
        placed = ms // 1000 + 2
        order = new_order(
            life,
            rng,
            placed,
            account=account,
            anon=device.anonymous_id if device else None,
            ip=ip or None,
        )
        if device is not None:
            message(
                life,
                rng,
                device,
                ms,
                "track",
                ip=ip,
                event="Order Completed",
                properties={
                    "order_id": order.name,
                    "total": order.total / 100,
                    "currency": order.currency,
                    "products": [{"product_id": s, "quantity": q} for s, _, q, _ in order.items],
                },
                path="/checkout/thank_you",
                title="Thank you",
                user_id=uid,
            )
        if rng.random() < 0.02:
            order.cancelled = (placed + rng.randint(HOUR, 20 * HOUR), "customer")
            self.orders.append((order, None, None))
            return
        shipped = placed + rng.randint(6 * HOUR, 2 * DAY)
        delayed = rng.random() < DELAY_RATE
        shipment = plan_shipment(life, rng, shipped, delayed=delayed)
        order.fulfill(shipped, shipment.carrier, "")
        if delayed:
            delayed_delivery(life, rng, order, shipment, device if p.devices else None, uid)
        elif rng.random() < 0.05 and shipment.delivered_at:
            back = shipment.delivered_at + rng.randint(3 * DAY, 20 * DAY)
            order.refund(back, "Returned: wrong size", order.items[0][3] * order.items[0][2])
            if "contact_center" in p.systems and rng.random() < 0.3:
                place_contact(
                    life,
                    rng,
                    back - rng.randint(DAY, 3 * DAY),
                    "return_request",
                    order_name=order.name,
                )
        self.orders.append((order, shipment, None))

    def run(self) -> None:
        p, rng = self.p, self.rng
        scale = self.life.world.activity
        order_rate = scale / ORDER_EVERY if "commerce" in p.systems else 0.0
        browse_rate = scale / BROWSE_EVERY if p.devices else 0.0
        total = order_rate + browse_rate
        if total == 0:
            return
        t = HISTORY_START
        while True:
            t += int(rng.expovariate(total))
            if t > self.life.horizon:
                break
            if rng.random() < order_rate / total:
                self.order(t)
            else:
                self.browse(t)


def service(life: Life) -> None:
    """Contacts and tickets that are not part of a planted journey."""
    p = life.person
    rng = life.stream("service")
    scale = life.world.activity
    contact_rate = scale / CONTACT_EVERY if "contact_center" in p.systems else 0.0
    ticket_rate = scale / TICKET_EVERY if life.ids.zendesk_user else 0.0
    total = contact_rate + ticket_rate
    if "repeat_unresolved" in p.forced:
        # the forced carrier's streak lies in the history: every world holds it
        forced = life.stream("forced-streak")
        start = FULL_DAY - 6 * DAY
        repeat_streak(life, forced, start, "account_update", None, None, REPEAT_COUNT, "VOICE")
    if total == 0:
        return
    t = HISTORY_START
    while True:
        t += int(rng.expovariate(total))
        if t > life.horizon:
            break
        intent = rng.choice(INTENTS)
        if rng.random() < contact_rate / total:
            method = "INBOUND" if rng.random() < 0.92 else rng.choice(("OUTBOUND", "CALLBACK"))
            placed = place_contact(
                life,
                rng,
                t,
                intent,
                method=method,
                channel="VOICE" if method != "INBOUND" else None,
            )
            if rng.random() < 0.08:
                place_contact(
                    life,
                    rng,
                    placed.ended + rng.randint(5, 90),
                    intent,
                    channel="VOICE",
                    previous=placed,
                )
            if rng.random() < 0.03:  # the same question again and again within a week
                t2 = placed.ended + rng.randint(6 * HOUR, 2 * DAY)
                repeat_streak(life, rng, t2, intent, None, None, rng.randint(2, 3))
        elif t >= p.since["support"]:
            service_ticket(life, rng, t, intent)


def payments(life: Life) -> billing.StripeCustomer | None:
    """The paying person's subscription: an invoice and a charge every cycle."""
    p = life.person
    if "billing" not in p.systems or not p.billing_payer or life.ids.stripe_customer is None:
        return None
    rng = life.stream("billing")
    cust = billing.plan_customer(life, rng)
    monthly = rng.random() < 0.6
    period = 30 * DAY if monthly else 365 * DAY
    household = p.household is not None and p.household.payer == p.idx
    amount = (1499 if household else 999) if monthly else 9900
    currency = CURRENCY[p.country].lower()
    sub = ids.stripe_id("sub_", p.idx, life.seed)
    card = str(rng.randint(1000, 9999))
    t = billing.history_start_cycle(cust.created, period)
    while t <= life.horizon:
        if cust.deleted_at is not None and t >= cust.deleted_at:
            break
        if not life.has_room("invoice") or not life.has_room("charge", 8):
            break
        inv = billing.Invoice(
            ids.stripe_id("in_", life.counter("invoice"), life.seed),
            cust.cid,
            cust.base["email"],
            t,
            amount,
            currency,
            "subscription_create" if t == cust.created else "subscription_cycle",
            sub,
        )
        if rng.random() < PAYMENT_FAILURE_RATE:
            failed_payment(life, rng, cust, inv, card)
        else:
            paid = t + HOUR + rng.randint(0, 600)
            payload = billing.charge_payload(life, life.counter("charge"), inv, paid, None, card)
            billing.add_charge(life, payload, paid)
            inv.states = [
                (t, "draft", 0, None, None, None),
                (paid, "paid", 1, None, paid, payload["id"]),
            ]
        versions = [Version(s[0], inv.payload(k)) for k, s in enumerate(inv.states)]
        life.add("billing", "invoices", inv.iid, versions, keys=(f"cus:{cust.cid}",), occurred_at=t)
        t += period
    return cust


def live(life: Life) -> list[tuple[Order, Shipment | None, str | None]]:
    """Run every process of the person's life; returns the orders, which wait for the block
    (tracking codes may be recycled across persons) before they are written."""
    from customer_truth.generate.systems import commerce, crm

    life.process = "static"
    crm.crm_records(life)
    commerce.shop_customers(life)
    support.write_user(life)
    life.process = "shop"
    shopper = Shopper(life)
    shopper.run()
    life.process = "service"
    service(life)
    life.process = "billing"
    cust = payments(life)
    if cust is not None:
        billing.write_customer(life, cust)
    return shopper.orders
