"""The truth behind the landing zone, as of the world's last batch (see README.md for fields).

Only what landed counts: a record is in the truth if at least one of its versions reached a
batch. Attributes are the person's real ones at the world's end; consent is what the contract's
rule makes of the statements that landed (any live opt-out wins, no opt-in means not opted in).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from customer_truth.generate.clock import DAY, Schedule, iso_z
from customer_truth.generate.delivery import Line
from customer_truth.generate.life import Incident
from customer_truth.generate.noise import email_key
from customer_truth.generate.people import (
    SOLE_PHONE_ACCOUNT,
    SOLE_PHONE_ORDERS,
    Household,
    Person,
)
from customer_truth.generate.records import Record

Delivered = list[tuple[Record, list[Line]]]
REPEAT_WINDOW = 7 * DAY
REPEAT_STALE_AFTER = 30 * DAY  # an unresolved repeat-contact incident goes stale and ends
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
SOLE_PHONE_SOURCE = {SOLE_PHONE_ORDERS: "commerce/orders", SOLE_PHONE_ACCOUNT: "crm/accounts"}


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
    # addresses only one kind of record carries: orders (checkout), charges (the card's)
    only = ((p.checkout_email, "commerce/orders"), (p.card_email, "billing/charges"))
    for address, only_on in only:
        if address:
            emails.append(
                {"address": address, "kind": "personal", "is_primary": False, "only_on": only_on}
            )
    if hh is not None and hh.family_email:
        emails.append(
            {"address": hh.family_email, "kind": "family", "is_primary": False, "shared": True}
        )
    phones = [{"e164": p.mobile_at(as_of), "kind": "mobile", "is_primary": True, "shared": False}]
    if p.sole_phone:
        # a second current mobile the person calls from; only their orders or their CRM
        # Individual account carry it
        phones.append(
            {
                "e164": p.sole_phone,
                "kind": "mobile",
                "is_primary": False,
                "shared": False,
                "only_on": SOLE_PHONE_SOURCE[p.sole_phone_in or ""],
            }
        )
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


# records that, once known to be the person's, make what they carry lead to the person: an
# order (its email, phones, name, tracking codes, anonymousId), a charge (its billing email), an
# Individual account named by the person's contact (its phone)
LINKING = frozenset({("commerce", "orders"), ("billing", "charges"), ("crm", "accounts")})


def resolvable(delivered: Delivered) -> tuple[set[str], set[int]]:
    """Identifiers that lead to the person in the landed data, and the ids (Python object ids)
    of the linking records (orders, charges, accounts) that are themselves attributable."""
    found: set[str] = set()
    for rec, _ in delivered:
        if rec.spec.identity:
            found.update(rec.keys)
        elif rec.spec.system == "digital":
            found.update(k for k in rec.keys if k.startswith("shop:"))
            found.update(rec.links)
    linking = [rec for rec, _ in delivered if (rec.spec.system, rec.spec.entity) in LINKING]
    linked: set[int] = set()
    grew = True
    while grew:  # what one record links can link another (a guest order by an order's phone)
        grew = False
        for rec in linking:
            if id(rec) not in linked and found.intersection(rec.keys):
                linked.add(id(rec))
                found.update(rec.links)
                grew = True
    return found, linked


# the identifiers an erasure can follow from one of the person's records to another: emails,
# phones, and CRM, Shopify, Stripe and Zendesk ids (an order name, a tracking code, a CRM
# account or a browser id is not a person's identifier)
ERASURE_FOLLOWS = ("email:", "phone:", "crm:", "shop:", "cus:", "zd:")
_REQUEST_KEY = {
    "email": "email:", "phone": "phone:", "crm_contact_id": "crm:",
    "commerce_customer_id": "shop:", "billing_customer_id": "cus:", "support_user_id": "zd:",
}  # fmt: skip


def erasure_reach(
    request: dict[str, Any], delivered: Delivered, shared: set[str]
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """What an erasure request can reach in the landed data: the person's identity records
    that carry the requested identifier, then every record of theirs (orders, charges and
    accounts carry identifiers for a record) sharing a followable identifier with one reached,
    transitively; identifiers other people share too (`shared`: a household landline) are not
    followed. Returns the identity records reached (system, entity, record id) and the email
    and phone values they and their linking records carry."""
    prefix = _REQUEST_KEY.get(request["identifier_type"])
    if prefix is None:
        return [], []
    value = request["identifier_value"]
    start = email_key(value) if prefix == "email:" else prefix + value
    nodes = [
        (rec, {k for k in (*rec.keys, *rec.links) if k and k.startswith(ERASURE_FOLLOWS)} - shared)
        for rec, _ in delivered
        if rec.spec.identity or (rec.spec.system, rec.spec.entity) in LINKING
    ]
    reached_keys = {start}
    reached: set[int] = set()
    grew = True
    while grew:
        grew = False
        for rec, keys in nodes:
            if id(rec) not in reached and keys & reached_keys:
                reached.add(id(rec))
                reached_keys |= keys
                grew = True
    records = sorted(
        {
            (rec.spec.system, rec.spec.entity, rec.record_id)
            for rec, _ in nodes
            if id(rec) in reached and rec.spec.identity
        }
    )
    values = sorted(
        k.split(":", 1)[1] for k in reached_keys if k and k.startswith(("email:", "phone:"))
    )
    return records, values


@dataclass(frozen=True)
class RepeatIncident:
    issue: str  # "#1234" (an order) or the intent
    began_at: int
    resolved_at: int  # the resolving contact's disconnect, or staleness: may lie past as-of
    contact_ids: tuple[str, ...]  # the issue's first contacts in it, in time order

    @property
    def order_name(self) -> str | None:
        return self.issue if self.issue.startswith("#") else None


def _epoch(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def contact_issue(attributes: dict[str, Any]) -> str | None:
    """The issue a contact is about: the order it names, normalised to `#1234` (agents type
    `1234` or `#1234`), else its intent; None when it names neither."""
    digits = str(attributes.get("order_number") or "").strip().lstrip("#").strip()
    if digits:
        return "#" + digits
    return attributes.get("intent") or None


def is_resolved(resolution: Any) -> bool:
    return isinstance(resolution, str) and resolution.strip().lower() == "resolved"


def repeat_incidents(contacts: Iterable[dict[str, Any]]) -> list[RepeatIncident]:
    """Repeat-contact incidents among one person's contacts (each the final landed version of a
    contact record, the one with the latest LastUpdateTimestamp).

    Only first contacts count: INBOUND with no PreviousContactId. An incident begins at a first
    contact about an issue when it is the third (or later) first contact about that issue within
    the trailing `REPEAT_WINDOW`, and no incident of the issue is still running. Its contacts are
    resolved or not by their conversation: Attributes.resolution of the last leg (latest
    InitiationTimestamp among the contacts sharing its InitialContactId). It ends at the
    DisconnectTimestamp of the first first contact, initiated at or after it began, whose
    conversation is resolved, or `REPEAT_STALE_AFTER` after it began, whichever comes first. If
    the contact that begins it is itself resolved, the incident never becomes active: none."""
    legs: dict[str, tuple[int, str]] = {}  # conversation -> (initiated, ContactId) of last leg
    by_id: dict[str, dict[str, Any]] = {}
    for c in contacts:
        by_id[c["ContactId"]] = c
        conversation = c.get("InitialContactId") or c["ContactId"]
        leg = (_epoch(c["InitiationTimestamp"]), c["ContactId"])
        legs[conversation] = max(legs.get(conversation, leg), leg)

    def resolved(c: dict[str, Any]) -> bool:
        last = by_id[legs[c.get("InitialContactId") or c["ContactId"]][1]]
        return is_resolved((last.get("Attributes") or {}).get("resolution"))

    issues: dict[str, list[tuple[int, str]]] = {}
    for c in by_id.values():
        issue = contact_issue(c.get("Attributes") or {})
        if issue and c.get("InitiationMethod") == "INBOUND" and not c.get("PreviousContactId"):
            issues.setdefault(issue, []).append((_epoch(c["InitiationTimestamp"]), c["ContactId"]))
    out: list[RepeatIncident] = []
    for issue, firsts in sorted(issues.items()):
        firsts.sort()
        free_from = None  # contacts before the end of the issue's last incident begin none
        for i, (t, cid) in enumerate(firsts):
            window = [f for f in firsts[: i + 1] if f[0] > t - REPEAT_WINDOW]
            if len(window) < REPEAT_COUNT or (free_from is not None and t < free_from):
                continue
            if resolved(by_id[cid]):
                continue  # the third contact settles it: never active
            end = t + REPEAT_STALE_AFTER
            members = [f[1] for f in window]
            for later_t, later_id in firsts[i + 1 :]:
                if later_t >= end:
                    break
                members.append(later_id)
                if resolved(by_id[later_id]):
                    end = min(end, _epoch(by_id[later_id]["DisconnectTimestamp"]))
                    break
            out.append(RepeatIncident(issue, t, end, tuple(members)))
            free_from = end
    return sorted(out, key=lambda r: (r.began_at, r.issue))


def repeat_contacts(p: Person, delivered: Delivered, as_of: int) -> list[Incident]:
    """The person's repeat-contact incidents in the landed contact records (`repeat_incidents`),
    with ids of their own series; their contacts without a journey join the incident."""
    finals: list[dict[str, Any]] = []
    records: dict[str, Record] = {}
    orders: dict[str, str] = {}
    for rec, lines in delivered:
        if rec.spec.entity == "contact_records":
            latest = max(lines, key=lambda ln: ln.version.payload["LastUpdateTimestamp"])
            finals.append(latest.version.payload)
            records[rec.record_id] = rec
        elif rec.spec.entity == "orders" and rec.spec.system == "commerce":
            orders[rec.versions[0].payload["name"]] = rec.record_id
    out: list[Incident] = []
    for k, found in enumerate(repeat_incidents(finals)):
        if found.began_at > as_of:
            continue
        inc = Incident(
            f"J{p.idx:07d}r{k}",
            "repeat_contact",
            p.person_id,
            found.began_at,
            found.resolved_at,
            {
                "contact_ids": list(found.contact_ids),
                "order_name": found.order_name,
                "order_id": orders.get(found.order_name or ""),
            },
        )
        for cid in found.contact_ids:
            if records[cid].journey_id is None:
                records[cid].journey_id = inc.incident_id
        out.append(inc)
    return out


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
