"""Carrier tracking: EasyPost tracker webhooks, one event per status change.

Each event carries the tracker's state and its history so far. Shipments link to orders only
through the tracking number on the Shopify fulfillment, and carriers recycle tracking codes:
`world.recycle_tracking_codes` reassigns a few codes to unrelated, much later shipments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from customer_truth.generate import ids
from customer_truth.generate.clock import DAY, HOUR, iso_z, utc_offset
from customer_truth.generate.life import Life
from customer_truth.generate.records import Version
from customer_truth.generate.reference import CARRIERS, PLACES_US

_HUBS = tuple(PLACES_US[i] for i in (0, 14, 22, 23, 27, 32, 39, 7, 13))
_MESSAGES = {
    "pre_transit": "Shipping Label Created, Carrier Awaiting Item",
    "in_transit": "Arrived at Facility",
    "out_for_delivery": "Out for Delivery",
    "delivered": "Delivered, In/At Mailbox",
    "available_for_pickup": "Available for Pickup",
    "return_to_sender": "Return to Sender Processed",
    "failure": "Delivery Exception: package damaged or lost",
}


@dataclass(slots=True)
class Shipment:
    n: int  # the shipment counter: tracker id and, unless recycled, the tracking code
    carrier: str
    created: int
    # (time, status, status_detail, estimate, location) in time order
    steps: list[tuple[int, str, str, int | None, dict[str, Any]]]
    code: str = ""
    overdue_at: int | None = None  # when the first promised delivery date had passed
    outcome: str = "delivered"  # delivered | lost | stuck
    resolved_at: int | None = None
    journey_id: str | None = None
    recycled: bool = False
    refs: list[dict[str, Any]] = field(default_factory=list)  # incident refs to fill with code

    @property
    def delivered_at(self) -> int | None:
        for t, status, *_ in self.steps:
            if status in ("delivered", "available_for_pickup"):
                return t
        return None


def pick_carrier(rng: random.Random) -> str:
    u = rng.random()
    for carrier, share in CARRIERS:
        u -= share
        if u < 0:
            return carrier
    return "USPS"


def _loc(city: str, state: str, country: str, zip_code: str | None) -> dict[str, Any]:
    return {
        "object": "TrackingLocation",
        "city": city.upper(),
        "state": state,
        "country": country,
        "zip": zip_code,
    }


def _local_hour(t: int, zone: str, hour: int, rng: random.Random) -> int:
    """Epoch second of `hour` o'clock local on the local day containing `t`."""
    off = utc_offset(zone, t) * 60
    day_start = (t + off) // DAY * DAY - off
    return day_start + hour * HOUR + rng.randint(0, 3599)


def plan_shipment(life: Life, rng: random.Random, shipped: int, *, delayed: bool) -> Shipment:
    """The shipment's whole future: on time, or late and then delivered, lost or stuck."""
    p = life.person
    dest = p.address_at(shipped)
    zone = dest.zone
    carrier = pick_carrier(rng)
    hub = rng.choice(_HUBS)
    transit = rng.randint(2, 5)
    est = (shipped // DAY + transit) * DAY  # EasyPost gives the date at 00:00Z
    home = _loc(dest.city, dest.region, dest.country, dest.postal_code)
    steps: list[tuple[int, str, str, int | None, dict[str, Any]]] = [
        (
            shipped + rng.randint(600, 3 * HOUR),
            "pre_transit",
            "label_created",
            est,
            _loc(hub.city, hub.region, "US", hub.postal_codes[0]),
        ),
        (
            shipped + rng.randint(5 * HOUR, 20 * HOUR),
            "in_transit",
            "arrived_at_facility",
            est,
            _loc(hub.city, hub.region, "US", hub.postal_codes[0]),
        ),
    ]
    s = Shipment(life.counter("shipment"), carrier, shipped, steps)
    if not delayed:
        day = est - rng.randint(0, transit - 1) * DAY
        out_at = max(_local_hour(day + DAY // 2, zone, 7, rng), steps[-1][0] + HOUR)
        if rng.random() < 0.6:  # not every carrier scan becomes a webhook
            steps.append((out_at, "out_for_delivery", "out_for_delivery", est, home))
        steps.append(
            (
                out_at + rng.randint(2 * HOUR, 9 * HOUR),
                rng.choice(("delivered",) * 12 + ("available_for_pickup",)),
                "arrived_at_destination",
                est,
                home,
            )
        )
        s.resolved_at = steps[-1][0]
        return s
    s.overdue_at = est + DAY
    late_detail = rng.choice(("weather_delay", "arrived_late", "rescheduled", "address_issue"))
    steps.append(
        (
            est + rng.randint(3 * HOUR, 20 * HOUR),
            "in_transit",
            late_detail,
            est,
            _loc(hub.city, hub.region, "US", hub.postal_codes[0]),
        )
    )
    u = rng.random()
    if u < 0.6:
        s.outcome = "delivered"
        new_est = est + rng.randint(2, 6) * DAY
        steps.append(
            (
                est + DAY + rng.randint(HOUR, 20 * HOUR),
                "in_transit",
                "in_transit",
                new_est,
                _loc(hub.city, hub.region, "US", None),
            )
        )
        day = new_est + rng.randint(0, 2) * DAY
        out_at = _local_hour(day + DAY // 2, zone, 7, rng)
        steps.append((out_at, "out_for_delivery", "out_for_delivery", new_est, home))
        steps.append(
            (
                out_at + rng.randint(HOUR, 8 * HOUR),
                "delivered",
                "arrived_at_destination",
                new_est,
                home,
            )
        )
        s.resolved_at = steps[-1][0]
    elif u < 0.85:
        s.outcome = "lost"
        t_lost = est + rng.randint(4, 9) * DAY
        steps.append((t_lost, rng.choice(("failure", "return_to_sender")), "lost", None, home))
        s.resolved_at = None  # resolved by the merchant's refund, set by the journey
    else:
        s.outcome = "stuck"  # still moving slowly when the world ends
        steps.append(
            (
                est + rng.randint(5, 9) * DAY,
                "in_transit",
                "delayed",
                est + 12 * DAY,
                _loc(hub.city, hub.region, "US", None),
            )
        )
        s.resolved_at = _local_hour(est + rng.randint(25, 40) * DAY, zone, 10, rng)
        steps.append((s.resolved_at, "delivered", "arrived_at_destination", None, home))
    steps.sort(key=lambda step: step[0])
    return s


def assign_code(s: Shipment, seed: int) -> None:
    if not s.code:
        s.code = ids.tracking_code(s.carrier, s.n, seed)


def write_tracking(life: Life, s: Shipment) -> None:
    """The tracker's webhook events (call after the code is final)."""
    seed = life.seed
    trk = ids.easypost_id("trk_", s.n, seed)
    history: list[dict[str, Any]] = []
    for k, (t, status, detail, est, loc) in enumerate(s.steps):
        history.append(
            {
                "object": "TrackingDetail",
                "datetime": iso_z(t),
                "message": _MESSAGES.get(status, "In Transit"),
                "status": status,
                "status_detail": detail,
                "tracking_location": loc,
            }
        )
        if not life.has_room("tracking_event"):
            return
        evt = ids.easypost_id("evt_", life.counter("tracking_event"), seed)
        payload = {
            "id": evt,
            "object": "Event",
            "description": "tracker.created" if k == 0 else "tracker.updated",
            "mode": "production",
            "created_at": iso_z(t + 5),
            "result": {
                "id": trk,
                "object": "Tracker",
                "tracking_code": s.code,
                "carrier": s.carrier,
                "status": status,
                "status_detail": detail,
                "est_delivery_date": iso_z(est) if est is not None else None,
                "created_at": iso_z(s.steps[0][0]),
                "updated_at": iso_z(t),
                "signed_by": None,
                "tracking_details": history[-2:],
            },
        }
        life.add(
            "logistics",
            "tracking_events",
            evt,
            [Version(t + 5, payload)],
            keys=("trk:" + s.code,),
            occurred_at=t,
            journey_id=s.journey_id,
            noise=("recycled_tracking_code",) if s.recycled else (),
        )


def recycle_codes(
    seed: int, rates: dict[str, float], shipments: list[tuple[frozenset[str], int, Shipment]]
) -> None:
    """Give a few shipments the code of an unrelated shipment delivered months earlier.

    `shipments` are (forced kinds, person index, shipment) of one block. Decisions go in
    creation order and only look at earlier shipments, so a longer world keeps them.
    """
    rate = rates["recycled_tracking_code"]
    if rate <= 0:
        return
    from customer_truth.generate.delivery import draws

    ordered = sorted(shipments, key=lambda fs: (fs[2].created, fs[2].n))
    used: set[int] = set()
    for forced, idx, s in ordered:
        wanted = "recycled_tracking_code" in forced or draws(seed, f"recycle|{s.n}")[0] < rate
        if not wanted:
            continue
        for _, donor_idx, d in ordered:
            if d.created > s.created - 75 * DAY:
                break
            delivered = d.delivered_at
            if (
                donor_idx != idx
                and d.n not in used
                and not d.recycled
                and delivered is not None
                and delivered <= s.created - 20 * DAY
            ):
                assign_code(d, seed)
                s.code, s.carrier, s.recycled = d.code, d.carrier, True
                used.add(d.n)
                break
