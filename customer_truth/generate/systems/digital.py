"""Segment: spec messages (identify, track, page, alias) as the storage destination writes them.

`timestamp` and `sentAt` come from the visitor's device and carry its clock error and, for some
clients, the local UTC offset; `receivedAt` is Segment's server time. Messages reach the
extract by `receivedAt`, so a phone that was offline delivers yesterday's events today.
"""

from __future__ import annotations

import random
from typing import Any

from customer_truth.generate.clock import iso_offset_ms, iso_z_ms, utc_offset
from customer_truth.generate.ids import uuid_from
from customer_truth.generate.life import Life
from customer_truth.generate.people import Device
from customer_truth.generate.records import Version
from customer_truth.generate.reference import SHOP_URL


def _client_time(device: Device, zone: str, ms: int) -> str:
    ms += device.skew_ms
    if device.local_offset:
        return iso_offset_ms(ms, utc_offset(zone, ms // 1000))
    return iso_z_ms(ms)


def message(
    life: Life,
    rng: random.Random,
    device: Device,
    ms: int,
    kind: str,
    *,
    ip: str,
    event: str | None = None,
    name: str | None = None,
    properties: dict[str, Any] | None = None,
    traits: dict[str, Any] | None = None,
    user_id: int | None = None,
    previous_id: str | None = None,
    path: str = "/",
    title: str = "",
    journey_id: str | None = None,
) -> None:
    """Write one Segment message sent from `device` at true time `ms`."""
    zone = life.person.zone
    send_delay = rng.randint(5, 2500)
    if device.kind == "mobile" and rng.random() < 0.04:
        send_delay += rng.randint(60_000, 36 * 3_600_000)  # queued while offline
    sent = ms + send_delay
    received = sent + rng.randint(30, 900)
    context: dict[str, Any] = {
        "ip": ip,
        "userAgent": device.user_agent,
        "page": {"path": path, "url": SHOP_URL + path, "title": title},
        "library": {
            "name": "analytics.js" if device.kind != "mobile" else "analytics-ios",
            "version": "5.2.0",
        },
        "locale": "de-DE" if life.person.country == "DE" else "en-US",
    }
    if device.device_id:
        context["device"] = {"id": device.device_id, "type": "ios"}
    payload: dict[str, Any] = {
        "messageId": uuid_from(rng),
        "type": kind,
        "anonymousId": device.anonymous_id,
        "userId": str(user_id) if user_id is not None else None,
        "event": event,
        "name": name,
        "properties": properties
        if properties is not None
        else ({} if kind in ("track", "page") else None),
        "traits": traits,
        "context": context,
        "timestamp": _client_time(device, zone, ms),
        "sentAt": _client_time(device, zone, sent),
        "receivedAt": iso_z_ms(received),
        "channel": "client",
        "version": 2,
    }
    if kind == "alias":
        payload["previousId"] = previous_id
    keys = ["anon:" + device.anonymous_id]
    links: tuple[str, ...] = ()
    if user_id is not None:
        keys.append(f"shop:{user_id}")
        if kind in ("identify", "alias"):
            links = ("anon:" + (previous_id or device.anonymous_id),)
    noise = []
    if device.skew_ms:
        noise.append("clock_skew")
    if device.local_offset:
        noise.append("local_offset")
    life.add(
        "digital",
        "events",
        payload["messageId"],
        [Version(received // 1000 + 1, payload)],
        keys=tuple(keys),
        occurred_at=ms // 1000,
        journey_id=journey_id,
        noise=noise,
        links=links,
    )


def session_ip(rng: random.Random) -> str:
    first = rng.choice((24, 47, 66, 68, 71, 73, 76, 98, 99, 104, 108, 172, 174, 184))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
