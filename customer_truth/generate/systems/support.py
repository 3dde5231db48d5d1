"""Zendesk: end-users and tickets from the incremental export (re-delivered whole on update).

One custom field holds the order name as the agent typed it (`#1234`, `1234`, `Order #1234`);
`external_id` on users is often the CRM contact id. Satisfaction is offered when a ticket is
solved; a bad rating sometimes reopens it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from customer_truth.generate import ids
from customer_truth.generate.clock import DAY, HOUR, iso_z
from customer_truth.generate.life import Life, WorldCtx
from customer_truth.generate.noise import email_key
from customer_truth.generate.records import SPEC, Record, Version
from customer_truth.generate.reference import AGENT_NAMES, COMPANY_DOMAIN, TICKET_SUBJECTS

ORDER_FIELD = 360_004_518_771
TOPIC_FIELD = 360_004_518_772
AGENT_BASE = 359_990_000_000


def agent_id(rng: random.Random) -> int:
    return AGENT_BASE + rng.randrange(len(AGENT_NAMES))


def agents(world: WorldCtx) -> list[Record]:
    """Agent users: world-level, not persons (role `agent`)."""
    out = []
    for k, username in enumerate(AGENT_NAMES):
        first, last = username.split(".")
        created = 1_600_000_000 + k * 86_400 * 11
        payload = {
            "id": AGENT_BASE + k,
            "name": f"{first.title()} {last.title()}",
            "email": f"{username}@{COMPANY_DOMAIN}",
            "phone": None,
            "external_id": None,
            "role": "agent",
            "shared_phone_number": None,
            "verified": True,
            "time_zone": "Eastern Time (US & Canada)",
            "locale": "en-US",
            "created_at": iso_z(created),
            "updated_at": iso_z(created),
            "tags": [],
        }
        out.append(
            Record(
                SPEC[("support", "users")], str(AGENT_BASE + k), None, [Version(created, payload)]
            )
        )
    return out


def write_user(life: Life) -> None:
    p = life.person
    uid = life.ids.zendesk_user
    if uid is None:
        return
    rng = life.stream("zendesk-user")
    ty = life.typist(rng, agent=True)
    created = p.since["support"]
    first, last = ty.names(created)
    email_src = p.work_email if "support" in p.work_email_in and p.work_email else p.email
    email = ty.email(email_src) if rng.random() < 0.95 else None
    shared = False
    number = None
    u = rng.random()
    if u < 0.25 and p.landline:
        number, shared = p.landline, p.household is not None
    elif u < 0.7:
        number = p.mobile_at(created)
    phone = ty.phone(number) if number else None
    external = (
        life.ids.crm_contact
        if (life.ids.crm_contact and p.since["crm"] <= created and rng.random() < 0.7)
        else None
    )

    def payload(t: int, ph: str | None) -> dict[str, Any]:
        return {
            "id": uid,
            "name": f"{first} {last}",
            "email": email,
            "phone": ph,
            "external_id": external,
            "role": "end-user",
            "shared_phone_number": shared,
            "verified": email is not None,
            "time_zone": None,
            "locale": "de" if p.country == "DE" else "en-US",
            "created_at": iso_z(created),
            "updated_at": iso_z(t),
            "tags": [],
        }

    versions = [Version(created, payload(created, phone))]
    if phone is None and rng.random() < 0.3:
        later = created + rng.randint(DAY, 200 * DAY)
        number = p.mobile_at(later)
        versions.append(Version(later, payload(later, ty.phone(number))))
    keys = [f"zd:{uid}", email_key(email), ty.phone_key(number)]
    if external:
        keys.append("crm:" + external)
    noise = ty.applied + (["work_email"] if email and email_src == p.work_email else [])
    life.add("support", "users", str(uid), versions, keys=tuple(k for k in keys if k), noise=noise)


def typed_order(rng: random.Random, order_name: str) -> str:
    digits = order_name.lstrip("#")
    return rng.choice(
        (order_name, digits, f"Order {order_name}", f"order {digits}", f"{order_name} ")
    )


@dataclass(slots=True)
class Ticket:
    tid: int
    created: int
    channel: str
    subject: str
    description: str
    kind: str
    priority: str
    intent: str
    order_typed: str | None
    order_name: str | None
    tags: list[str]
    # (time, status, satisfaction score, assignee id)
    states: list[tuple[int, str, str, int | None]] = field(default_factory=list)

    def solved_at(self, after: int = 0) -> int | None:
        return next((t for t, s, _, _ in self.states if s == "solved" and t > after), None)


def plan_ticket(
    life: Life,
    rng: random.Random,
    t: int,
    intent: str,
    *,
    order_name: str | None = None,
    channel: str | None = None,
    resolve_after: int | None = None,
    bad_csat: bool = False,
) -> Ticket:
    """A ticket and its life: new, open, pending, solved, rated, closed (or reopened)."""
    tid = ids.ZENDESK_TICKET_BASE + life.counter("ticket")
    subject = rng.choice(TICKET_SUBJECTS[intent]).format(order=order_name or "")
    channel = channel or rng.choice(("web", "email", "email", "chat", "voice", "api"))
    description = f"{subject}. " + rng.choice(
        (
            "Please help as soon as possible.",
            "I've been waiting for days.",
            "Can someone get back to me?",
            "Thanks in advance.",
        )
    )
    tk = Ticket(
        tid,
        t,
        channel,
        subject.strip(),
        description,
        rng.choice(("question", "problem", "incident", "task"))
        if intent != ("where_is_my_order")
        else "problem",
        rng.choice(("low", "normal", "normal", "high", "urgent")),
        intent,
        typed_order(rng, order_name) if order_name else None,
        order_name,
        [intent.replace("_", "-")],
    )
    agent = agent_id(rng)
    tk.states.append((t, "new", "unoffered", None))
    opened = t + rng.randint(600, 8 * HOUR)
    tk.states.append((opened, "open", "unoffered", agent))
    step = opened
    if rng.random() < 0.5:
        step = opened + rng.randint(HOUR, 48 * HOUR)
        tk.states.append((step, "pending", "unoffered", agent))
    solved = max(
        step + rng.randint(2 * HOUR, 4 * DAY), (resolve_after or 0) + rng.randint(HOUR, 36 * HOUR)
    )
    tk.states.append((solved, "solved", "offered", agent))
    rated = solved + rng.randint(HOUR, 3 * DAY)
    if bad_csat:
        tk.states.append((rated, "solved", "bad", agent))
        reopened = rated + rng.randint(HOUR, 12 * HOUR)
        tk.states.append((reopened, "open", "bad", agent))
        again = reopened + rng.randint(DAY, 8 * DAY)
        tk.states.append((again, "solved", "bad", agent))
        tk.states.append((again + 4 * DAY, "closed", "bad", agent))
        return tk
    score = rng.choice(("good", "good", "offered", "offered", "offered", "bad"))
    if score != "offered":
        tk.states.append((rated, "solved", score, agent))
    tk.states.append((max(rated, solved) + 4 * DAY, "closed", score, agent))
    return tk


def write_ticket(life: Life, tk: Ticket, journey_id: str | None) -> None:
    uid = life.ids.zendesk_user

    def payload(k: int) -> dict[str, Any]:
        t, status, score, assignee = tk.states[k]
        return {
            "id": tk.tid,
            "url": f"https://northwind.zendesk.com/api/v2/tickets/{tk.tid}.json",
            "external_id": None,
            "via": {"channel": tk.channel},
            "subject": tk.subject,
            "description": tk.description,
            "type": tk.kind,
            "priority": tk.priority,
            "status": status,
            "requester_id": uid,
            "submitter_id": uid,
            "assignee_id": assignee,
            "organization_id": None,
            "tags": tk.tags,
            "custom_fields": [
                {"id": ORDER_FIELD, "value": tk.order_typed},
                {"id": TOPIC_FIELD, "value": tk.intent},
            ],
            "satisfaction_rating": {"score": score},
            "created_at": iso_z(tk.created),
            "updated_at": iso_z(t),
        }

    versions = [Version(t, payload(k)) for k, (t, *_rest) in enumerate(tk.states)]
    keys = [f"zd:{uid}"] + (["order:" + tk.order_name] if tk.order_name else [])
    life.add(
        "support",
        "tickets",
        str(tk.tid),
        versions,
        keys=tuple(keys),
        occurred_at=tk.created,
        journey_id=journey_id,
    )
