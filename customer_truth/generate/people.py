"""Persons and households: who exists, what is true about them, and how it changes over time.

Persons are numbered 0..N-1 and grouped in blocks of `BLOCK` consecutive indices; households
never cross a block, so a block is the unit of work (and of chunking). Everything here is an
identity plan fixed over the whole simulated calendar, independent of how many days the world
runs: moves, name changes, new numbers and opt-outs have their times whether or not a batch
ever shows them. That is what makes `--days D+1` extend `--days D` without changing it.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from customer_truth.generate import phones
from customer_truth.generate.clock import DAY, FULL_DAY, HISTORY_START
from customer_truth.generate.reference import (
    COUNTRY_WEIGHTS,
    EMPLOYERS,
    FEMALE,
    MALE,
    PERSONAL_DOMAINS,
    PLACES,
    PLACES_US,
    STREETS_DE,
    STREETS_GB,
    STREETS_US,
    SURNAMES,
    Place,
)
from customer_truth.generate.rng import Dice, permute, stream

T = TypeVar("T")

BLOCK = 64
_GROUP_SLOTS = 24  # landline counters per block: households and singles with a home line
_MAX_HOUSEHOLDS = 20  # per block (about 7-8 form on average), leaving counters for singles
EPOCH_2019 = 1_546_300_800  # 2019-01-01: the oldest system records

# The first persons carry every person-level noise kind, so even a tiny world has each one.
# (Kinds decided per household are forced on the household of persons 0-2.)
FORCED: dict[int, frozenset[str]] = {
    0: frozenset(
        {
            "duplicate_contact",
            "contact_merge",
            "email_case",
            "clock_skew",
            "duplicate_delivery",
            "charge_only_email",  # the forced household's payer
        }
    ),
    1: frozenset({"married_name", "email_whitespace", "local_offset"}),
    2: frozenset({"phone_extension", "company_phone"}),
    3: frozenset({"phone_missing_country_code", "address_move", "late_update"}),
    4: frozenset({"name_typo", "placeholder_email", "duplicate_shop_account", "order_only_email"}),
    5: frozenset({"nickname", "placeholder_phone", "contact_delete"}),
    6: frozenset({"swapped_names", "repeat_unresolved"}),
    7: frozenset({"work_email", "recycled_phone", "deleted_billing_customer"}),
    8: frozenset({"recycled_tracking_code", "order_only_phone"}),
    9: frozenset({"hard_erasure"}),
}
FORCED_HOUSEHOLD = (0, 1, 2)
ERASURE_PERSON = 9
SYSTEM_SHARE = {
    "crm": 0.6,
    "commerce": 0.7,
    "billing": 0.45,
    "support": 0.3,
    "digital": 0.8,
    "contact_center": 0.4,
}
ERASURE_RATE = 0.004
# where a person's sole number lives: the only place in the enterprise that carries it
SOLE_PHONE_ORDERS = "orders"
SOLE_PHONE_ACCOUNT = "crm_account"
# systems whose records can hold a hard-to-erase person's work email alone
_WORK_EMAIL_HOLDERS = ("support", "billing", "crm")


@dataclass(slots=True)
class Address:
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    zone: str


@dataclass(slots=True)
class Household:
    household_id: str
    members: list[int]
    surname: str
    addresses: list[tuple[int, Address]]
    landline: str | None
    family_email: str | None
    payer: int | None = None  # the member whose Stripe customer pays for everyone
    crm_account: int | None = None  # counter of the Household account, if any member is in CRM
    crm_since: int = 0


@dataclass(slots=True)
class Device:
    anonymous_id: str
    kind: str  # desktop | mobile | work
    user_agent: str
    skew_ms: int  # the client clock's error
    local_offset: bool  # timestamps carry the local offset instead of Z
    device_id: str | None


@dataclass(slots=True)
class Person:
    idx: int
    person_id: str
    household: Household | None
    sex: str
    given_name: str
    family_name: str
    maiden_name: str | None
    married_at: int | None
    birth_date: str
    country: str
    addresses: list[tuple[int, Address]]
    mobiles: list[tuple[int, str]]
    landline: str | None
    employer: int | None
    work_phone: str | None
    email: str
    work_email: str | None
    other_email: str
    work_email_in: frozenset[str]
    marketing_opt_in: bool
    email_opt_out_at: int | None
    do_not_call_at: int | None
    systems: frozenset[str]
    since: dict[str, int]
    shop_account: bool
    billing_payer: bool
    devices: list[Device]
    erasure_at: int | None
    forced: frozenset[str]
    recycled_number: str | None = None  # the number this person got from someone else
    extra: dict[str, int] = field(default_factory=dict)
    # a second current mobile that only one place carries (SOLE_PHONE_*); calls come from it
    sole_phone: str | None = None
    sole_phone_in: str | None = None
    checkout_email: str | None = None  # given at checkout (and in chats), on orders only
    card_email: str | None = None  # the card's billing email, on Stripe charges only
    # a hard erasure: (the system that alone holds the named identifier, "work" | "sole_phone")
    erasure_names: tuple[str, str] | None = None

    @property
    def zone(self) -> str:
        return self.addresses[0][1].zone

    def address_at(self, t: int) -> Address:
        return as_of(self.addresses, t)

    def mobile_at(self, t: int) -> str:
        """The mobile the person gives the company's systems (their listed number)."""
        return as_of(self.mobiles, t)

    def calling_mobile_at(self, t: int) -> str:
        """The mobile the person calls from: their sole number when they have one."""
        return self.sole_phone or self.mobile_at(t)

    def family_name_at(self, t: int) -> str:
        if self.maiden_name and self.married_at is not None and t < self.married_at:
            return self.maiden_name
        return self.family_name

    def opted_out_at(self, t: int) -> bool:
        return self.email_opt_out_at is not None and self.email_opt_out_at <= t

    def dnc_at(self, t: int) -> bool:
        return self.do_not_call_at is not None and self.do_not_call_at <= t


def as_of(history: list[tuple[int, T]], t: int) -> T:
    """The value of a (since, value) history at time `t` (the first value before it began)."""
    current = history[0][1]
    for since, value in history:
        if since <= t:
            current = value
    return current


def ascii_name(text: str) -> str:
    """`Müller` -> `muller`, `O'Brien` -> `obrien`: how names look inside email addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _weighted(rng: random.Random, items: Sequence[tuple[str, float]]) -> str:
    total = sum(w for _, w in items)
    u = rng.random() * total
    for value, w in items:
        u -= w
        if u < 0:
            return value
    return items[-1][0]


def _since(rng: random.Random) -> int:
    """When a person's record in a system was created: mostly before the history starts,
    some during it, a few after the full extract (new records in incremental batches)."""
    u = rng.random()
    if u < 0.7:
        return rng.randint(EPOCH_2019, HISTORY_START)
    if u < 0.95:
        return rng.randint(HISTORY_START, FULL_DAY)
    return rng.randint(FULL_DAY, FULL_DAY + 60 * DAY)


def _address(rng: random.Random, place: Place) -> Address:
    n = rng.randint(1, 9999) if place.country == "US" else rng.randint(1, 240)
    line2 = ""
    if place.country == "US":
        street = rng.choice(STREETS_US)
        line1 = f"{n} {street}"
        if rng.random() < 0.25:
            line2 = (
                rng.choice(("Apt ", "Unit ", "Apt. ", "#"))
                + str(rng.randint(1, 40))
                + rng.choice("ABCD ").strip()
            )
    elif place.country == "CA":
        line1 = f"{n} {rng.choice(STREETS_US)}"
        if rng.random() < 0.3:
            line2 = f"Unit {rng.randint(100, 2400)}"
    elif place.country == "GB":
        line1 = f"{n} {rng.choice(STREETS_GB)}"
        if rng.random() < 0.2:
            line2 = f"Flat {rng.randint(1, 30)}"
    else:
        line1 = f"{rng.choice(STREETS_DE)} {n}"
    return Address(
        line1,
        line2,
        place.city,
        place.region,
        rng.choice(place.postal_codes),
        place.country,
        place.zone,
    )


def _move(rng: random.Random, addr: Address, country: str) -> Address:
    places = PLACES[country]
    if rng.random() < 0.7:
        place = next(p for p in places if p.city == addr.city)
    else:
        place = rng.choice(places)
    new = _address(rng, place)
    return new if new.line1 != addr.line1 else _address(rng, place)


def _move_time(rng: random.Random, forced: bool) -> int:
    if forced:
        return FULL_DAY + 8 * 3600  # between the full extract and the first incremental
    return rng.randint(HISTORY_START - 90 * DAY, FULL_DAY + 45 * DAY)


def _email(rng: random.Random, first: str, last: str, token: int, domain: str) -> str:
    f, la = ascii_name(first), ascii_name(last)
    # the token (unique per person) keeps two John Smiths from sharing an address
    local = rng.choice(
        (
            f"{f}.{la}{token}",
            f"{f}{la}{token}",
            f"{f[:1]}{la}{token}",
            f"{f}{token}",
            f"{la}.{f}{token}",
            f"{f}_{la}{token}",
        )
    )
    return f"{local}@{domain}"


def make_block(seed: int, rates: dict[str, float], block: int, total: int) -> list[Person]:
    """The persons of block `block` (indices block*BLOCK .. min(total, +BLOCK) - 1)."""
    lo, hi = block * BLOCK, min(total, (block + 1) * BLOCK)
    rng = stream(seed, "block", block)
    groups: list[list[int]] = []
    i = lo
    if block == 0 and hi >= 3:
        groups.append(list(FORCED_HOUSEHOLD))
        i = 3
    while i < hi:
        households = sum(1 for g in groups if len(g) > 1)
        if rng.random() < 0.155 and hi - i >= 2 and households < _MAX_HOUSEHOLDS:
            size = min(hi - i, int(_weighted(rng, (("2", 45), ("3", 25), ("4", 20), ("5", 10)))))
            groups.append(list(range(i, i + size)))
            i += size
        else:
            groups.append([i])
            i += 1
    persons: list[Person] = []
    slot = 0
    for group in groups:
        if len(group) > 1:
            hh = _household(seed, rates, block, slot, group)
            slot += 1
            for k, idx in enumerate(group):
                persons.append(_person(seed, rates, idx, hh, k))
        else:
            p = _person(seed, rates, group[0], None, 0)
            if p.landline == "" and slot < _GROUP_SLOTS:
                place = _place_of(p.addresses[0][1])
                p.landline = phones.landline(place, block * _GROUP_SLOTS + slot, seed)
                slot += 1
            elif p.landline == "":
                p.landline = None
            persons.append(p)
    _plan_household_accounts(seed, block, persons)
    _plan_recycled_numbers(seed, rates, block, persons)
    if block == 0:
        _force_account_phone(seed, rates, persons)
    return persons


def _force_account_phone(seed: int, rates: dict[str, float], persons: list[Person]) -> None:
    """An Individual account exists only for a single CRM person, and which carriers are single
    depends on the seed: the first single carrier takes `account_only_phone` when none did."""
    if rates["account_only_phone"] <= 0 or any(
        p.sole_phone_in == SOLE_PHONE_ACCOUNT for p in persons
    ):
        return
    carrier = next(
        (p for p in persons if p.idx in FORCED and p.household is None and p.sole_phone_in is None),
        None,
    )
    if carrier is not None:
        carrier.sole_phone_in = SOLE_PHONE_ACCOUNT
        carrier.sole_phone = sole_number(carrier.country, carrier.idx, seed)
        carrier.forced = carrier.forced | {"account_only_phone"}


def _plan_household_accounts(seed: int, block: int, persons: list[Person]) -> None:
    """One Stripe customer often pays for the household; a CRM Household account groups the
    members that are in the CRM."""
    rng = stream(seed, "household-accounts", block)
    seen: set[str] = set()
    for p in persons:
        hh = p.household
        if hh is None or hh.household_id in seen:
            continue
        seen.add(hh.household_id)
        members = [m for m in persons if m.household is hh]
        billed = [m for m in members if "billing" in m.systems]
        if billed and (rng.random() < 0.7 or hh.members[0] == 0):
            hh.payer = billed[0].idx
            for m in billed[1:]:
                m.billing_payer = False
        in_crm = [m for m in members if "crm" in m.systems]
        if in_crm:
            hh.crm_account = hh.members[0]
            hh.crm_since = min(m.since["crm"] for m in in_crm)


def _place_of(addr: Address) -> Place:
    return next(p for p in PLACES[addr.country] if p.city == addr.city)


def _household(
    seed: int, rates: dict[str, float], block: int, slot: int, members: list[int]
) -> Household:
    rng = stream(seed, "household", members[0])
    forced = frozenset({"household_landline", "family_email"}) if members[0] == 0 else frozenset()
    dice = Dice(rng, rates, forced)
    country = _weighted(rng, COUNTRY_WEIGHTS)
    place = rng.choice(PLACES[country])
    surname = rng.choice(SURNAMES)
    addresses = [(0, _address(rng, place))]
    if dice.hit("address_move"):
        addresses.append((_move_time(rng, False), _move(rng, addresses[0][1], country)))
    landline = (
        phones.landline(place, block * _GROUP_SLOTS + slot, seed)
        if dice.hit("household_landline")
        else None
    )
    family_email = None
    if dice.hit("family_email"):
        s = ascii_name(surname)
        token = permute(members[0], 10**6, seed, "family-email")
        local = rng.choice((f"{s}family{token}", f"the{s}s{token}", f"{s}household{token}"))
        family_email = f"{local}@{_weighted(rng, PERSONAL_DOMAINS[country])}"
    return Household(
        f"H{members[0]:07d}", list(members), surname, addresses, landline, family_email
    )


def _person(seed: int, rates: dict[str, float], idx: int, hh: Household | None, k: int) -> Person:
    rng = stream(seed, "person", idx)
    forced = FORCED.get(idx, frozenset())
    dice = Dice(rng, {**rates}, forced)
    showcase = idx in FORCED  # the forced carriers are in every system
    sex = rng.choice("MF")
    names = MALE if sex == "M" else FEMALE
    given = rng.choice(list(names))
    if "nickname" in forced or (showcase and not names[given]):
        given = "Robert" if sex == "M" else "Elizabeth"
    if hh is not None:
        country = hh.addresses[0][1].country
        addresses = list(hh.addresses)
        # members share the surname; a partner who kept their own name does not
        family = hh.surname if k != 1 or rng.random() < 0.8 else rng.choice(SURNAMES)
    else:
        country = (
            "GB" if "phone_missing_country_code" in forced else _weighted(rng, COUNTRY_WEIGHTS)
        )
        addresses = [(0, _address(rng, rng.choice(PLACES[country])))]
        family = rng.choice(SURNAMES)
        if dice.hit("address_move"):
            moved_at = _move_time(rng, "address_move" in forced)
            addresses.append((moved_at, _move(rng, addresses[0][1], country)))
    if "phone_missing_country_code" in forced and country != "GB":
        place = PLACES["GB"][0]
        country = "GB"
        addresses = [(0, _address(rng, place))] + [
            (t, _address(rng, place)) for t, _ in addresses[1:]
        ]
    maiden, married_at = None, None
    if dice.hit("married_name"):
        maiden = rng.choice(SURNAMES)
        if maiden == family:
            maiden = "Hartley"
        married_at = (
            FULL_DAY - 120 * DAY
            if "married_name" in forced
            else rng.randint(HISTORY_START - 365 * DAY, FULL_DAY + 60 * DAY)
        )
    if hh is not None and k >= 2:
        year = rng.randint(1980, 2006)  # grown children, a parent, a lodger
    else:
        year = rng.randint(1945, 2003)
    birth = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    mobiles = [(0, phones.mobile(country, idx * phones.MOBILE_SLOTS, seed))]
    if rng.random() < 0.03:
        mobiles.append(
            (
                rng.randint(HISTORY_START - 200 * DAY, FULL_DAY + 60 * DAY),
                phones.mobile(country, idx * phones.MOBILE_SLOTS + 1, seed),
            )
        )
    # "" asks the block to allocate a personal landline (it owns the counters)
    landline: str | None = hh.landline if hh is not None else ("" if rng.random() < 0.15 else None)
    employer = rng.randrange(len(EMPLOYERS)) if (rng.random() < 0.45 or showcase) else None
    work_phone = None
    work_email = None
    if employer is not None:
        work_phone = phones.landline(PLACES_US[employer % len(PLACES_US)], 479_999 - employer, seed)
        work_email = _email(
            rng, given, family, permute(idx, 10**7, seed, "work-email"), EMPLOYERS[employer][1]
        )
    work_in: frozenset[str] = frozenset()
    if work_email and dice.hit("work_email"):
        work_in = frozenset(
            rng.sample(("crm", "billing", "support", "contact_center"), rng.randint(1, 2))
        )
        if "work_email" in forced:
            work_in = frozenset({"billing", "support"})
    email = _email(
        rng,
        given,
        maiden or family,
        permute(idx, 10**7, seed, "email"),
        _weighted(rng, PERSONAL_DOMAINS[country]),
    )
    # an older personal address, for second accounts
    other_email = _email(
        rng,
        given,
        family,
        permute(idx, 10**7, seed, "other-email"),
        _weighted(rng, PERSONAL_DOMAINS[country]),
    )
    opt_in = rng.random() < 0.4
    opt_out_at = rng.randint(EPOCH_2019, FULL_DAY + 60 * DAY) if rng.random() < 0.08 else None
    dnc_at = rng.randint(EPOCH_2019, FULL_DAY + 60 * DAY) if rng.random() < 0.06 else None
    systems = frozenset(
        s for s, share in SYSTEM_SHARE.items() if rng.random() < share or showcase
    ) or frozenset({"digital"})
    since = {s: _since(rng) for s in ("crm", "commerce", "billing", "support")}
    if showcase:
        # carriers exist everywhere before the full extract, so their noise is in every world
        since = {s: rng.randint(EPOCH_2019, HISTORY_START) for s in since}
    shop_account = "commerce" in systems and (rng.random() < 0.85 or showcase)
    payer = "billing" in systems
    devices = _devices(rng, dice, idx) if "digital" in systems else []
    erasure_at = None
    if rng.random() < ERASURE_RATE:
        erasure_at = FULL_DAY + rng.randint(DAY // 5, 45 * DAY)
    if idx == ERASURE_PERSON:
        erasure_at = FULL_DAY + DAY // 2
    # drawn last, one draw each whatever applies, so every earlier draw stays as it was
    order_phone = dice.hit("order_only_phone") and "commerce" in systems
    account_phone = dice.hit("account_only_phone") and "crm" in systems and hh is None
    checkout = dice.hit("order_only_email") and "commerce" in systems
    card = dice.hit("charge_only_email") and "billing" in systems
    hard = dice.hit("hard_erasure") and erasure_at is not None
    sole_in = SOLE_PHONE_ORDERS if order_phone else (SOLE_PHONE_ACCOUNT if account_phone else None)
    erasure_names = None
    if hard:
        holders = [s for s in _WORK_EMAIL_HOLDERS if s in systems and (s != "billing" or not hh)]
        # a work email in one system is a work_email case too: none where its rate is 0
        work_allowed = dice.rates["work_email"] > 0
        if (
            work_email
            and work_allowed
            and holders
            and len(systems & {"crm", "commerce", "support"}) >= 2
        ):
            # the work email in one system only, the personal one everywhere else
            holder = holders[rng.randrange(len(holders))]
            work_in = frozenset({holder})
            erasure_names = (holder, "work")
        elif "commerce" in systems:
            sole_in = sole_in or SOLE_PHONE_ORDERS  # a phone only the person's orders carry
            erasure_names = ("commerce", "sole_phone")
    return Person(
        idx=idx,
        person_id=f"P{idx:07d}",
        household=hh,
        sex=sex,
        given_name=given,
        family_name=family,
        maiden_name=maiden,
        married_at=married_at,
        birth_date=birth,
        country=country,
        addresses=addresses,
        mobiles=mobiles,
        landline=landline,
        employer=employer,
        work_phone=work_phone,
        email=email,
        work_email=work_email,
        other_email=other_email,
        work_email_in=work_in,
        marketing_opt_in=opt_in,
        email_opt_out_at=opt_out_at,
        do_not_call_at=dnc_at,
        systems=systems,
        since=since,
        shop_account=shop_account,
        billing_payer=payer,
        devices=devices,
        erasure_at=erasure_at,
        forced=forced,
        sole_phone=sole_number(country, idx, seed) if sole_in else None,
        sole_phone_in=sole_in,
        checkout_email=_email(
            rng, given, family, permute(idx, 10**7, seed, "checkout-email"), "gmail.com"
        )
        if checkout
        else None,
        card_email=_email(
            rng, given, family, permute(idx, 10**7, seed, "card-email"), "outlook.com"
        )
        if card
        else None,
        erasure_names=erasure_names,
    )


def sole_number(country: str, idx: int, seed: int) -> str:
    """The person's third mobile slot: never given to anyone else, never recycled."""
    return phones.mobile(country, idx * phones.MOBILE_SLOTS + 2, seed)


def _devices(rng: random.Random, dice: Dice, idx: int) -> list[Device]:
    from customer_truth.generate.ids import uuid_from
    from customer_truth.generate.reference import USER_AGENTS

    kinds = (
        ["desktop"]
        + (["mobile"] if rng.random() < 0.6 else [])
        + (["work"] if rng.random() < 0.15 else [])
    )
    out = []
    for kind in kinds:
        skew = 0
        if dice.hit("clock_skew"):
            skew = rng.choice((-1, 1)) * rng.choice((90, 600, 3600, 7200, 86_400)) * 1000
            skew += rng.randint(-500, 500)
        ua = rng.choice(USER_AGENTS["mobile" if kind == "mobile" else "desktop"])
        device_id = uuid_from(rng) if kind == "mobile" else None
        out.append(Device(uuid_from(rng), kind, ua, skew, dice.hit("local_offset"), device_id))
    return out


def _plan_recycled_numbers(
    seed: int, rates: dict[str, float], block: int, persons: list[Person]
) -> None:
    """A person who gets a new number may be given one somebody else in the block gave up;
    the donor's old records (some never updated) still carry it."""
    rng = stream(seed, "recycle", block)
    used: set[int] = set()
    for p in persons:
        dice = Dice(rng, rates, p.forced)
        if not dice.hit("recycled_phone") or p.idx in used:
            continue
        donors = [
            d
            for d in persons
            if d.idx != p.idx
            and d.idx not in used
            and len(d.mobiles) == 1
            and d.country == p.country
            and (d.household is None or d.household is not p.household)
        ]
        if "recycled_phone" in p.forced:
            donors = [d for d in donors if d.idx == 6] or donors
        if not donors or len(p.mobiles) > 1:
            continue
        donor = donors[rng.randrange(len(donors))]
        dropped_at = rng.randint(HISTORY_START - 400 * DAY, HISTORY_START - 150 * DAY)
        taken_at = rng.randint(dropped_at + 90 * DAY, HISTORY_START + 60 * DAY)
        old = donor.mobiles[0][1]
        donor.since["crm"] = min(donor.since["crm"], dropped_at - 30 * DAY)
        donor.mobiles.append(
            (dropped_at, phones.mobile(donor.country, donor.idx * phones.MOBILE_SLOTS + 1, seed))
        )
        donor.extra["stale_phone"] = 1  # the donor's CRM contact keeps the old number
        p.mobiles.append((taken_at, old))
        p.recycled_number = old
        used.update((p.idx, donor.idx))
