"""The truth behind the landing zone, as of the world's last batch (see README.md for fields).

Only what landed counts: a record is in the truth if at least one of its versions reached a
batch. Attributes are the person's real ones at the world's end; consent is what the contract's
rule makes of the statements that landed (any live opt-out wins, no opt-in means not opted in).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from customer_truth.generate.clock import DAY, Schedule, iso_z
from customer_truth.generate.delivery import Line
from customer_truth.generate.life import Incident
from customer_truth.generate.noise import email_key
from customer_truth.generate.people import Household, Person
from customer_truth.generate.records import Record

Delivered = list[tuple[Record, list[Line]]]
REPEAT_WINDOW = 7 * DAY
# every incident's refs carry these keys (null or [] when they do not apply)
REF_KEYS: dict[str, Any] = {
    "order_name": None,
    "order_id": None,
    "tracking_code": None,
    "invoice_id": None,
    "charge_ids": [],
    "contact_ids": [],
    "ticket_id": None,
    "related_journey_id": None,
}
REPEAT_COUNT = 3


def _iso(t: int | None) -> str | None:
    return None if t is None else iso_z(t)


def person_row(p: Person, as_of: int, delivered: Delivered) -> dict[str, Any]:
    addr = p.address_at(as_of)
    hh = p.household
    emails = [
        {"address": p.email, "kind": "personal", "is_primary": True},
        {"address": p.other_email, "kind": "personal", "is_primary": False},
    ]
    if p.work_email:
        emails.append(
            {
                "address": p.work_email,
                "kind": "work",
                "is_primary": False,
                "used_in": sorted(p.work_email_in),
            }
        )
    if hh is not None and hh.family_email:
        emails.append(
            {"address": hh.family_email, "kind": "family", "is_primary": False, "shared": True}
        )
    phones = [{"e164": p.mobile_at(as_of), "kind": "mobile", "is_primary": True, "shared": False}]
    if p.landline:
        phones.append(
            {"e164": p.landline, "kind": "landline", "is_primary": False, "shared": hh is not None}
        )
    if p.work_phone:
        phones.append({"e164": p.work_phone, "kind": "work", "is_primary": False, "shared": True})
    opt_in, opt_out, dnc = _consent(delivered)
    return {
        "person_id": p.person_id,
        "household_id": hh.household_id if hh else None,
        "given_name": p.given_name,
        "family_name": p.family_name_at(as_of),
        "birth_date": p.birth_date,
        "emails": emails,
        "phones": phones,
        "address_line1": addr.line1,
        "address_line2": addr.line2 or None,
        "city": addr.city,
        "region": addr.region,
        "postal_code": addr.postal_code,
        "country": addr.country,
        "email_opt_in": opt_in and not opt_out,
        "do_not_call": dnc,
        "former": {
            "family_names": [p.maiden_name]
            if p.maiden_name and p.married_at is not None and p.married_at <= as_of
            else [],
            "phones": [n for since, n in p.mobiles if n != p.mobile_at(as_of) and since <= as_of],
            "addresses": [
                _addr_text(a) for since, a in p.addresses if since <= as_of and a is not addr
            ],
        },
        "systems": sorted(p.systems),
    }


def _addr_text(a: Any) -> str:
    return ", ".join(x for x in (a.line1, a.line2, a.city, a.region, a.postal_code, a.country) if x)


def _consent(delivered: Delivered) -> tuple[bool, bool, bool]:
    """(any opt-in, any opt-out, any do-not-call) among the live statements that landed."""
    opt_in = opt_out = dnc = False
    for rec, lines in delivered:
        key = (rec.spec.system, rec.spec.entity)
        if key not in (("crm", "contacts"), ("commerce", "customers")):
            continue
        latest = max((ln.version for ln in lines), key=lambda v: v.at)
        if latest.deleted:
            continue
        p = latest.payload
        if key == ("crm", "contacts"):
            opt_out |= p.get("HasOptedOutOfEmail") == "true"
            dnc |= p.get("DoNotCall") == "true"
        else:
            state = (p.get("email_marketing_consent") or {}).get("state")
            opt_in |= state == "subscribed"
            opt_out |= state == "unsubscribed"
    return opt_in, opt_out, dnc


def household_row(hh: Household, members: list[Person], as_of: int) -> dict[str, Any]:
    addr = members[0].address_at(as_of)
    return {
        "household_id": hh.household_id,
        "member_person_ids": [m.person_id for m in members],
        "surname": hh.surname,
        "address_line1": addr.line1,
        "address_line2": addr.line2 or None,
        "city": addr.city,
        "region": addr.region,
        "postal_code": addr.postal_code,
        "country": addr.country,
        "landline": hh.landline,
        "family_email": hh.family_email,
        "billing_payer_person_id": f"P{hh.payer:07d}" if hh.payer is not None else None,
    }


def resolvable(delivered: Delivered) -> tuple[set[str], set[int]]:
    """Identifiers that lead to the person in the landed data, and the ids (Python object ids)
    of the orders that are themselves attributable."""
    found: set[str] = set()
    for rec, _ in delivered:
        if rec.spec.identity:
            found.update(rec.keys)
        elif rec.spec.system == "digital":
            found.update(k for k in rec.keys if k.startswith("shop:"))
            found.update(rec.links)
    orders: set[int] = set()
    for rec, _ in delivered:
        if (
            rec.spec.entity == "orders"
            and rec.spec.system == "commerce"
            and found.intersection(rec.keys)
        ):
            orders.add(id(rec))
    for rec, _ in delivered:
        if id(rec) in orders:
            found.update(rec.links)
    return found, orders


def repeat_contacts(p: Person, delivered: Delivered, as_of: int) -> list[Incident]:
    """Condition: 3+ inbound first contacts (no PreviousContactId) within a trailing 7 days.
    Each maximal stretch where it holds is one incident; began_at is when the third contact
    arrived, resolved_at when the trailing window again holds fewer than three."""
    contacts = sorted(
        (rec.occurred_at or 0, rec.record_id, rec)
        for rec, lines in delivered
        if rec.spec.entity == "contact_records"
        and lines[0].version.payload.get("InitiationMethod") == "INBOUND"
        and lines[0].version.payload.get("PreviousContactId") is None
    )
    if len(contacts) < REPEAT_COUNT:
        return []
    points: list[tuple[int, int]] = []
    for t, _, _ in contacts:
        points += [(t, 1), (t + REPEAT_WINDOW, -1)]
    points.sort()
    out: list[Incident] = []
    count = 0
    start: int | None = None
    for t, step in points:
        count += step
        if count >= REPEAT_COUNT and start is None:
            start = t
        elif count < REPEAT_COUNT and start is not None:
            members = [r for ct, _, r in contacts if start - REPEAT_WINDOW < ct < t]
            # ids of their own series: computed from what landed, not planted in the life
            inc = Incident(
                f"J{p.idx:07d}r{len(out)}",
                "repeat_contact",
                p.person_id,
                start,
                t,
                {"contact_ids": [r.record_id for r in members]},
            )
            for r in members:
                if r.journey_id is None:
                    r.journey_id = inc.incident_id
            out.append(inc)
            start = None
    return [i for i in out if i.began_at <= as_of]


def incident_row(inc: Incident, as_of: int) -> dict[str, Any]:
    resolved = inc.resolved_at if inc.resolved_at is not None and inc.resolved_at <= as_of else None
    return {
        "incident_id": inc.incident_id,
        "kind": inc.kind,
        "person_id": inc.person_id,
        "began_at": iso_z(inc.began_at),
        "resolved_at": _iso(resolved),
        "refs": {**REF_KEYS, **inc.refs},
    }


def identity_rows(
    p: Person, delivered: Delivered, schedule: Schedule, found: set[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    anon: dict[str, int] = {}
    users: dict[str, int] = {}
    for rec, lines in delivered:
        spec = rec.spec
        if spec.identity:
            latest = max((ln.version for ln in lines), key=lambda v: v.at)
            status = "merged" if latest.merged_into else ("deleted" if latest.deleted else "live")
            first = min(ln.batch for ln in lines)
            out.append(
                {
                    "system": spec.system,
                    "entity": spec.identity,
                    "record_id": rec.record_id,
                    "person_id": rec.person_id,
                    "status": status,
                    "merged_into": latest.merged_into,
                    "first_batch_id": schedule.batch_id(spec.system, first),
                }
            )
        elif spec.system == "digital":
            first = min(ln.batch for ln in lines)
            for line in lines:
                a = line.version.payload.get("anonymousId")
                if a:
                    anon[a] = min(anon.get(a, first), first)
                u = line.version.payload.get("userId")
                if u:
                    users[str(u)] = min(users.get(str(u), first), first)
    for a, first in sorted(anon.items()):
        out.append(
            {
                "system": "digital",
                "entity": "anonymous_id",
                "record_id": a,
                "person_id": p.person_id,
                "status": "live",
                "merged_into": None,
                "first_batch_id": schedule.batch_id("digital", first),
                "linked": "anon:" + a in found,
            }
        )
    for u, first in sorted(users.items()):
        out.append(
            {
                "system": "digital",
                "entity": "user_id",
                "record_id": u,
                "person_id": p.person_id,
                "status": "live",
                "merged_into": None,
                "first_batch_id": schedule.batch_id("digital", first),
                "linked": True,
            }
        )
    return out


def event_rows(delivered: Delivered, found: set[str], orders: set[int]) -> list[dict[str, Any]]:
    out = []
    for rec, _ in delivered:
        if not rec.spec.event:
            continue
        if rec.spec.entity == "orders":
            attributable = id(rec) in orders
        else:
            attributable = bool(found.intersection(rec.keys))
        out.append(
            {
                "system": rec.spec.system,
                "entity": rec.spec.entity,
                "record_id": rec.record_id,
                "person_id": rec.person_id,
                "occurred_at": _iso(rec.occurred_at),
                "attributable": attributable,
                "journey_id": rec.journey_id,
            }
        )
    return out


def shared_identifier_tally(hh: Household, delivered_keys: set[str], tally: Counter[str]) -> None:
    if hh.landline and "phone:" + hh.landline in delivered_keys:
        tally["household_landline"] += 1
    fam = email_key(hh.family_email)
    if fam and fam in delivered_keys:
        tally["family_email"] += 1
