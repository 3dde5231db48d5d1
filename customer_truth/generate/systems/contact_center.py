"""Amazon Connect: contact trace records (CTRs) and Contact Lens transcripts.

CTRs stream out at least once: a handled contact is exported when it disconnects and again
when after-contact work ends (a later `LastUpdateTimestamp`, the same `ContactId`). A transfer
is a new contact pointing back through `PreviousContactId`/`InitialContactId`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from customer_truth.generate.clock import iso_z
from customer_truth.generate.ids import uuid_from
from customer_truth.generate.life import Life
from customer_truth.generate.noise import Typist, email_key
from customer_truth.generate.records import Version
from customer_truth.generate.reference import AGENT_NAMES, COMPANY_PHONE, QUEUES, SUPPORT_EMAIL
from customer_truth.generate.rng import stream

_CHANNELS = (("VOICE", 0.62), ("CHAT", 0.25), ("EMAIL", 0.09), ("TASK", 0.04))
_CATEGORIES = {
    "where_is_my_order": ["delivery", "where-is-my-order"],
    "billing_issue": ["billing", "payment-failure"],
    "return_request": ["returns"],
    "product_question": ["product"],
    "account_update": ["account"],
    "membership": ["membership", "cancellation-risk"],
}
# What people say, per intent; {order}, {pii} are filled in.
_SCRIPTS = {
    "where_is_my_order": (
        ("AGENT", "Thanks for calling Northwind, how can I help?"),
        (
            "CUSTOMER",
            "Hi, my order {order} was supposed to arrive days ago and it's still not here.",
        ),
        ("AGENT", "I'm sorry about that. Let me look at the tracking for you."),
        ("CUSTOMER", "The tracking hasn't moved since last week. {pii}"),
        ("AGENT", "I see it's delayed at the carrier. I'll open a case and follow up."),
    ),
    "billing_issue": (
        ("AGENT", "Northwind billing, how can I help?"),
        ("CUSTOMER", "My membership payment failed and I don't know why."),
        ("AGENT", "Your bank declined the charge. Would you like to update the card?"),
        ("CUSTOMER", "Yes, please. {pii}"),
        ("AGENT", "Done, I'll retry the payment now."),
    ),
    "return_request": (
        ("AGENT", "Hi, thanks for reaching out."),
        ("CUSTOMER", "I want to return the boots from order {order}, they're too small."),
        ("AGENT", "No problem, I'll email you a return label. {pii}"),
    ),
    "product_question": (
        ("AGENT", "Northwind, this is your outfitter speaking."),
        ("CUSTOMER", "Is the Ridgeline tent OK for snow?"),
        ("AGENT", "It's a three-season tent; for snow I'd suggest the expedition model."),
    ),
    "account_update": (
        ("AGENT", "How can I help today?"),
        ("CUSTOMER", "I moved and need to update my address. {pii}"),
        ("AGENT", "Updated. Anything else?"),
    ),
    "membership": (
        ("AGENT", "Thanks for calling about Northwind Plus."),
        ("CUSTOMER", "I'm thinking of cancelling, it's too expensive."),
        ("AGENT", "I can offer you three months at half price."),
    ),
}
_CARDS = ("4111 1111 1111 1111", "5500 0000 0000 0004", "4012888888881881", "3782 822463 10005")


@dataclass(slots=True)
class Placed:
    contact_id: str
    initial_id: str
    ended: int


def pick_channel(rng: random.Random) -> str:
    u = rng.random()
    for channel, share in _CHANNELS:
        u -= share
        if u < 0:
            return channel
    return "VOICE"


def _pii(life: Life, rng: random.Random, t: int) -> str:
    p = life.person
    if rng.random() > 0.35:
        return ""
    kind = rng.randrange(4)
    if kind == 0:
        return f"My card is {rng.choice(_CARDS)}."
    if kind == 1:
        return f"You can email me at {p.email}."
    if kind == 2:
        n = p.mobile_at(t)
        return (
            f"My number is {n[2:5]} {n[5:8]} {n[8:]}."
            if n.startswith("+1")
            else (f"My number is {n}.")
        )
    a = p.address_at(t)
    return f"I'm at {a.line1}, {a.city} {a.postal_code}."


def place_contact(
    life: Life,
    rng: random.Random,
    t: int,
    intent: str,
    *,
    channel: str | None = None,
    method: str = "INBOUND",
    outcome: str | None = None,
    order_name: str | None = None,
    journey_id: str | None = None,
    previous: Placed | None = None,
    resolution: str | None = None,
) -> Placed:
    """Write one contact (and its transcript, when analysed); returns its ids and end."""
    p = life.person
    channel = channel or pick_channel(rng)
    if channel == "TASK":
        method = "API"
    if outcome is None:
        u = rng.random()
        outcome = (
            "self_service"
            if u < 0.12 and channel == "VOICE"
            else ("abandoned" if u < 0.2 and channel in ("VOICE", "CHAT") else "agent")
        )
    if previous is not None:
        method, outcome = "TRANSFER", "agent"
    contact_id = uuid_from(rng)
    keys: list[str | None] = []
    noise: list[str] = []
    customer_ep: dict[str, str] | None = None
    system_ep: dict[str, str] | None = None
    if channel == "VOICE":
        u = rng.random()
        if u < 0.03:
            caller = "anonymous"  # withheld caller id
        elif u < 0.16 and p.landline:
            caller = p.landline
        elif u < 0.21 and p.work_phone:
            caller = p.work_phone
        else:
            caller = p.calling_mobile_at(t)
        customer_ep = {"Type": "TELEPHONE_NUMBER", "Address": caller}
        system_ep = {"Type": "TELEPHONE_NUMBER", "Address": COMPANY_PHONE}
        if caller.startswith("+"):
            keys.append("phone:" + caller)
        if caller == p.recycled_number:
            noise.append("recycled_phone")
    elif channel == "EMAIL":
        addr = p.work_email if "contact_center" in p.work_email_in and p.work_email else p.email
        customer_ep = {"Type": "EMAIL_ADDRESS", "Address": addr}
        if addr == p.work_email:
            noise.append("work_email")
        system_ep = {"Type": "EMAIL_ADDRESS", "Address": SUPPORT_EMAIL}
        keys.append(email_key(addr))
    attrs: dict[str, str] = {}
    if method in ("INBOUND", "TRANSFER") and channel != "EMAIL":
        attrs["intent"] = intent
    crm = life.ids.crm_contact
    if crm and p.since["crm"] <= t and (rng.random() < 0.55 or channel == "TASK"):
        attrs["crm_contact_id"] = crm  # the caller authenticated in the IVR / the agent linked
        keys.append("crm:" + crm)
    if channel == "CHAT" and rng.random() < 0.8:
        addr = p.work_email if "contact_center" in p.work_email_in and p.work_email else p.email
        # some give the address they check out with, or their card's billing email
        alternates = [e for e in (p.checkout_email, p.card_email) if e]
        if alternates and rng.random() < 0.6:
            addr = alternates[rng.randrange(len(alternates))]
        # typed by the customer into the pre-chat form: case and spaces as they come
        prechat = stream(life.seed, "prechat", contact_id)
        typist = Typist(prechat, life.dice(prechat), p, agent=False)
        typed = typist.email(addr) or ""
        attrs["customer_email"] = typed
        keys.append(email_key(typed))
        noise += typist.applied
    if order_name:
        digits = order_name.lstrip("#")
        attrs["order_number"] = digits if rng.random() < 0.7 else order_name
        keys.append("order:" + order_name)
    if rng.random() < 0.1:
        attrs["language"] = "en-US"
    start = t
    connected = start + rng.randint(1, 4)
    ivr = rng.randint(15, 150) if channel == "VOICE" else rng.randint(2, 30)
    rec: dict[str, Any] = {
        "AWSAccountId": "123456789012",
        "ContactId": contact_id,
        "InitialContactId": previous.initial_id if previous else None,
        "PreviousContactId": previous.contact_id if previous else None,
        "Channel": channel,
        "InitiationMethod": method,
        "InitiationTimestamp": iso_z(start),
        "ConnectedToSystemTimestamp": iso_z(connected),
        "DisconnectTimestamp": None,
        "LastUpdateTimestamp": None,
        "CustomerEndpoint": customer_ep,
        "SystemEndpoint": system_ep,
        "DisconnectReason": None,
        "Attributes": attrs,
    }
    acw = 0
    if outcome == "self_service":
        end = connected + ivr
        rec["DisconnectReason"] = "CONTACT_FLOW_DISCONNECT"
        attrs["resolution"] = "self_service"
    else:
        queue = "Priority" if previous is not None else QUEUES.get(intent, "BasicQueue")
        enq = connected + ivr
        wait = rng.randint(5, 900)
        deq = enq + wait
        rec["Queue"] = {
            "Name": queue,
            "ARN": None,
            "EnqueueTimestamp": iso_z(enq),
            "DequeueTimestamp": iso_z(deq),
            "Duration": wait,
        }
        if outcome == "abandoned":
            end = deq
            rec["DisconnectReason"] = "CUSTOMER_DISCONNECT"
        else:
            talk = rng.randint(60, 1500)
            hold = rng.choice((0, 0, 0, rng.randint(10, 300)))
            acw = rng.randint(10, 240)
            end = deq + talk + hold
            rec["Agent"] = {
                "Username": rng.choice(AGENT_NAMES),
                "ConnectedToAgentTimestamp": iso_z(deq),
                "AgentInteractionDuration": talk,
                "CustomerHoldDuration": hold,
                "AfterContactWorkDuration": None,
            }
            rec["DisconnectReason"] = rng.choice(("CUSTOMER_DISCONNECT", "AGENT_DISCONNECT"))
    rec["DisconnectTimestamp"] = iso_z(end)
    first_update = end + rng.randint(2, 30)
    rec["LastUpdateTimestamp"] = iso_z(first_update)
    # the stream is read by the extract a few minutes after each update
    versions = [Version(first_update + rng.randint(60, 600), rec)]
    if "Agent" in rec:
        final = dict(rec)
        final["Agent"] = dict(rec["Agent"], AfterContactWorkDuration=acw)
        final["Attributes"] = dict(attrs)
        final["Attributes"]["resolution"] = resolution or rng.choice(
            ("resolved", "resolved", "follow_up", "escalated")
        )
        last = end + acw + rng.randint(5, 90)
        final["LastUpdateTimestamp"] = iso_z(last)
        versions.append(Version(last + rng.randint(60, 600), final))
    clean_keys = tuple(k for k in keys if k)
    life.add(
        "contact_center",
        "contact_records",
        contact_id,
        versions,
        keys=clean_keys,
        occurred_at=start,
        journey_id=journey_id,
        noise=noise,
    )
    if "Agent" in rec and channel in ("VOICE", "CHAT") and rng.random() < 0.7:
        _transcript(
            life, rng, contact_id, channel, intent, order_name, end, start, clean_keys, journey_id
        )
    return Placed(contact_id, previous.initial_id if previous else contact_id, end)


def _transcript(
    life: Life,
    rng: random.Random,
    contact_id: str,
    channel: str,
    intent: str,
    order_name: str | None,
    end: int,
    start: int,
    keys: tuple[str, ...],
    journey_id: str | None,
) -> None:
    segments = []
    offset = 0
    negative = intent in ("where_is_my_order", "billing_issue")
    for i, (who, text) in enumerate(_SCRIPTS.get(intent, _SCRIPTS["product_question"])):
        content = text.format(
            order=order_name or "from last week", pii=_pii(life, rng, start)
        ).strip()
        length = 1500 + 60 * len(content) + rng.randint(0, 2000)
        sentiment = (
            "NEGATIVE"
            if who == "CUSTOMER" and negative
            else rng.choice(("NEUTRAL", "NEUTRAL", "POSITIVE"))
        )
        segments.append(
            {
                "Id": f"{contact_id[:8]}-{i:03d}",
                "ParticipantId": who,
                "BeginOffsetMillis": offset,
                "EndOffsetMillis": offset + length,
                "Content": content,
                "Sentiment": sentiment,
            }
        )
        offset += length + rng.randint(200, 1500)
    customer = round(rng.uniform(-4.5, -0.5) if negative else rng.uniform(-1.0, 4.0), 1)
    payload = {
        "AccountId": "123456789012",
        "ContactId": contact_id,
        "Channel": channel,
        "LanguageCode": "en-US",
        "Categories": {"MatchedCategories": list(_CATEGORIES.get(intent, []))},
        "ConversationCharacteristics": {
            "Sentiment": {
                "OverallSentiment": {"CUSTOMER": customer, "AGENT": round(rng.uniform(0.5, 4.5), 1)}
            },
            "ContactSummary": {
                "PostContactSummary": {
                    "Content": f"Customer contacted about {intent.replace('_', ' ')}.",
                    "Status": "COMPLETED",
                }
            },
            "TotalConversationDurationMillis": offset,
        },
        "Transcript": segments,
    }
    life.add(
        "contact_center",
        "transcripts",
        contact_id,
        [Version(end + rng.randint(600, 2400), payload)],
        keys=keys,
        occurred_at=start,
        journey_id=journey_id,
    )
