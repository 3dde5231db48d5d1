"""Salesforce: contacts and accounts as Bulk API CSV rows (every cell a string).

A contact is written when the person first reached the CRM and rewritten when an agent or a sync
catches up with a change in the person's life (late, sometimes never). Duplicates are created
later by another channel and are merged into the master (`IsDeleted=true`, `MasterRecordId`) or
deleted; Bulk API queries leave deleted rows out of full extracts.
"""

from __future__ import annotations

import random

from customer_truth.generate import ids, phones
from customer_truth.generate.clock import DAY, FULL_DAY, HISTORY_START, HOUR, sf_datetime
from customer_truth.generate.life import Life, WorldCtx
from customer_truth.generate.noise import Typist, email_key
from customer_truth.generate.people import (
    EPOCH_2019,
    SOLE_PHONE_ACCOUNT,
    Address,
    Household,
    as_of,
)
from customer_truth.generate.records import SPEC, Record, Version
from customer_truth.generate.reference import (
    EMPLOYERS,
    PLACES_US,
    SALUTATIONS_F,
    SALUTATIONS_M,
    STREET_LONG,
)
from customer_truth.generate.rng import between, stream

_COUNTRY_TYPED = {
    "US": ("United States", "US", "USA", "United States"),
    "CA": ("Canada", "CA", "Canada"),
    "GB": ("United Kingdom", "UK", "GB", "United Kingdom"),
    "DE": ("Germany", "DE", "Deutschland"),
}
_BUSINESS_BASE = 4_000_000_000


def _bool(v: bool) -> str:
    return "true" if v else "false"


def street(addr: Address, style: int) -> str:
    """The street as a CRM textarea holds it: line 2 on its own line, suffix spelled out or not."""
    line1 = addr.line1
    if style % 5 == 0:
        head, _, suffix = line1.rpartition(" ")
        line1 = f"{head} {STREET_LONG.get(suffix, suffix)}" if head else line1
    return f"{line1}\n{addr.line2}" if addr.line2 else line1


def account_id(n: int, seed: int) -> str:
    return ids.salesforce_id("001", n, seed)


def _account_row(
    aid: str,
    name: str,
    number: str,
    kind: str,
    addr: Address | None,
    phone: str,
    created: int,
    modified: int,
    style: int,
) -> dict[str, str]:
    return {
        "Id": aid,
        "Name": name,
        "AccountNumber": number,
        "Type": kind,
        "BillingStreet": street(addr, style) if addr else "",
        "BillingCity": addr.city if addr else "",
        "BillingState": addr.region if addr else "",
        "BillingPostalCode": addr.postal_code if addr else "",
        "BillingCountry": _COUNTRY_TYPED[addr.country][style % len(_COUNTRY_TYPED[addr.country])]
        if addr
        else "",
        "Phone": phone,
        "IsDeleted": "false",
        "CreatedDate": sf_datetime(created),
        "LastModifiedDate": sf_datetime(modified),
    }


def _moves(
    addresses: list[tuple[int, Address]],
    rng: random.Random,
    created: int,
    p_update: float,
    quick: bool = False,
) -> list[tuple[int, Address]]:
    """When the record learns about each move (if ever): (time, new address). `quick`: at
    once (the forced carrier of address_move, so the first incremental shows the move)."""
    out = []
    for since, addr in addresses[1:]:
        lag = rng.randint(DAY // 4, 20 * DAY)
        if rng.random() < p_update or quick:
            out.append((max(since, created) + (HOUR if quick else lag), addr))
    return out


def business_accounts(world: WorldCtx) -> list[Record]:
    """The employers' Business accounts: world-level records, written once."""
    out = []
    for k, (name, _domain) in enumerate(EMPLOYERS):
        rng = stream(world.seed, "business-account", k)
        place = PLACES_US[k % len(PLACES_US)]
        addr = Address(
            f"{rng.randint(100, 2000)} {rng.choice(('Market St', 'Broadway', 'Main St'))}",
            f"Suite {rng.randint(100, 900)}",
            place.city,
            place.region,
            place.postal_codes[0],
            "US",
            place.zone,
        )
        created = rng.randint(EPOCH_2019, HISTORY_START)
        line = phones.landline(place, 479_999 - k, world.seed)
        row = _account_row(
            account_id(_BUSINESS_BASE + k, world.seed),
            name,
            f"BUS-{100000 + k}",
            "Business",
            addr,
            phones.typed(rng, line, False, False),
            created,
            created,
            k,
        )
        out.append(Record(SPEC[("crm", "accounts")], row["Id"], None, [Version(created, row)]))
    return out


def household_account(world: WorldCtx, hh: Household) -> Record | None:
    """The Household account grouping the members that are in the CRM."""
    if hh.crm_account is None:
        return None
    rng = stream(world.seed, "household-account", hh.members[0])
    aid = account_id(hh.crm_account * 2 + 1, world.seed)
    name = rng.choice(
        (f"{hh.surname} Household", f"The {hh.surname} Family", f"{hh.surname} Household")
    )
    style = rng.getrandbits(16)
    phone = ""
    if hh.landline:
        phone = phones.typed(rng, hh.landline, False, False)
    number = f"HH-{hh.crm_account:07d}"
    created = hh.crm_since
    versions = [
        Version(
            created,
            _account_row(
                aid,
                name,
                number,
                "Household",
                as_of(hh.addresses, created),
                phone,
                created,
                created,
                style,
            ),
        )
    ]
    for t, addr in _moves(hh.addresses, rng, created, 0.8):
        versions.append(
            Version(t, _account_row(aid, name, number, "Household", addr, phone, created, t, style))
        )
    versions.sort(key=lambda v: v.at)
    return Record(SPEC[("crm", "accounts")], aid, None, versions)


class _Contact:
    """The evolving state of one contact record."""

    def __init__(
        self,
        life: Life,
        rng: random.Random,
        ty: Typist,
        cid: str,
        acct: str,
        created: int,
        primary: bool,
        business: bool,
    ) -> None:
        p = life.person
        self.p, self.rng, self.ty, self.cid, self.acct = p, rng, ty, cid, acct
        self.created = created
        self.style = rng.getrandbits(16)
        u = rng.random()
        if primary and "crm" in p.work_email_in:
            source = p.work_email
        elif not primary and p.work_email_in and u < 0.5:
            source = p.work_email  # the duplicate came in through a work form
        elif not primary and u < 0.7:
            source = p.other_email
        elif p.household and p.household.family_email and rng.random() < 0.35:
            source = p.household.family_email
        else:
            source = p.email
        self.email = ty.email(source) if rng.random() < 0.93 else ""
        self.noise = ["work_email"] if self.email and source == p.work_email else []
        self.salutation = rng.choice(SALUTATIONS_M if p.sex == "M" else SALUTATIONS_F)
        self.birth = p.birth_date if rng.random() < 0.6 else ""
        self.has_mobile = rng.random() < 0.8
        self.phone_src = (
            p.work_phone if business else (p.mobile_at(created) if rng.random() < 0.4 else None)
        )
        self.home = p.landline if p.landline and rng.random() < 0.8 else None
        self.addr = p.address_at(created)
        self.mobile = p.mobile_at(created)
        self.name_t = created
        self.opt_out = p.opted_out_at(created)
        self.dnc = p.dnc_at(created)
        self.keys: set[str] = {"crm:" + cid} | ({"acct:" + acct} if acct else set())

    def row(self, modified: int, *, deleted: bool = False, master: str = "") -> dict[str, str]:
        ty = self.ty
        first, last = ty.names(self.name_t)
        phone = ty.phone(self.phone_src) if self.phone_src else ""
        mobile = ty.phone(self.mobile, main=not self.phone_src) if self.has_mobile else ""
        home = ty.phone(self.home, main=False) if self.home else ""
        typed_keys = (
            ty.phone_key(self.phone_src) if self.phone_src else None,
            ty.phone_key(self.mobile, main=not self.phone_src) if self.has_mobile else None,
            ty.phone_key(self.home, main=False) if self.home else None,
        )
        self.keys.update(key for key in typed_keys if key)
        ek = email_key(self.email)
        if ek:
            self.keys.add(ek)
        countries = _COUNTRY_TYPED[self.addr.country]
        return {
            "Id": self.cid,
            "AccountId": self.acct,
            "Salutation": self.salutation,
            "FirstName": first,
            "LastName": last,
            "Email": self.email or "",
            "Phone": phone or "",
            "MobilePhone": mobile or "",
            "HomePhone": home or "",
            "Birthdate": self.birth,
            "MailingStreet": street(self.addr, self.style),
            "MailingCity": self.addr.city,
            "MailingState": self.addr.region,
            "MailingPostalCode": self.addr.postal_code,
            "MailingCountry": countries[self.style % len(countries)],
            "HasOptedOutOfEmail": _bool(self.opt_out),
            "DoNotCall": _bool(self.dnc),
            "IsDeleted": _bool(deleted),
            "MasterRecordId": master,
            "CreatedDate": sf_datetime(self.created),
            "LastModifiedDate": sf_datetime(modified),
        }


def _updates(c: _Contact, life: Life) -> list[tuple[int, str, object]]:
    """What the CRM learns after the contact exists, and when."""
    p, rng = c.p, c.rng
    out: list[tuple[int, str, object]] = []
    for t, addr in _moves(p.addresses, rng, c.created, 0.7, "address_move" in p.forced):
        out.append((t, "addr", addr))
    for since, number in p.mobiles[1:]:
        if since > c.created and rng.random() < 0.5 and not p.extra.get("stale_phone"):
            out.append((since + rng.randint(DAY, 30 * DAY), "mobile", number))
    if p.married_at is not None and p.married_at > c.created and rng.random() < 0.6:
        out.append((p.married_at + rng.randint(DAY, 40 * DAY), "name", p.married_at))
    if p.email_opt_out_at is not None and p.email_opt_out_at > c.created:
        out.append((p.email_opt_out_at + rng.randint(600, 2 * DAY), "opt_out", True))
    if p.do_not_call_at is not None and p.do_not_call_at > c.created:
        out.append((p.do_not_call_at + rng.randint(600, DAY), "dnc", True))
    t = c.created
    while True:  # reps touching the record for their own reasons
        t += int(rng.expovariate(1 / (200 * DAY)))
        if t > FULL_DAY + 120 * DAY:
            break
        out.append((t, "touch", None))
    out.sort(key=lambda u: (u[0], u[1]))
    return out


def _versions(c: _Contact, life: Life, end: int) -> list[Version]:
    versions = [Version(c.created, c.row(c.created))]
    for t, what, value in _updates(c, life):
        if t >= end:
            break
        noise: tuple[str, ...] = ()
        if what == "addr":
            c.addr = value  # type: ignore[assignment]
            noise = ("address_move",)
        elif what == "mobile":
            c.mobile = value  # type: ignore[assignment]
        elif what == "name":
            c.name_t = value  # type: ignore[assignment]
        elif what == "opt_out":
            c.opt_out = True
        elif what == "dnc":
            c.dnc = True
        elif what == "touch" and not c.salutation:
            c.salutation = "Mr." if c.p.sex == "M" else "Ms."
        versions.append(Version(t, c.row(t), noise=noise))
    return versions


def _account(life: Life, rng: random.Random) -> str:
    """The contact's AccountId; writes the person's Individual account when they have one."""
    p, seed = life.person, life.seed
    if p.household and p.household.crm_account is not None:
        return account_id(p.household.crm_account * 2 + 1, seed)
    u = rng.random()
    # a person whose number only their Individual account carries has one, whatever u says
    sole = p.sole_phone if p.sole_phone_in == SOLE_PHONE_ACCOUNT else None
    if p.employer is not None and u < 0.12 and sole is None:
        return account_id(_BUSINESS_BASE + p.employer, seed)
    if u < 0.62 or sole is not None:
        aid = account_id(p.idx * 2, seed)
        created = p.since["crm"]
        style = rng.getrandbits(16)
        name = f"{p.given_name} {p.family_name_at(created)}"
        number = f"IND-{p.idx:07d}"
        # agents type it as the caller says it (a separate stream: the account's other draws
        # stay as they were)
        phone = (
            phones.typed(stream(life.seed, "account-phone", p.idx), sole, False, False)
            if sole
            else ""
        )
        versions = [
            Version(
                created,
                _account_row(
                    aid,
                    name,
                    number,
                    "Individual",
                    p.address_at(created),
                    phone,
                    created,
                    created,
                    style,
                ),
            )
        ]
        for t, addr in _moves(p.addresses, rng, created, 0.6):
            versions.append(
                Version(
                    t,
                    _account_row(aid, name, number, "Individual", addr, phone, created, t, style),
                )
            )
        versions.sort(key=lambda v: v.at)
        life.add(
            "crm",
            "accounts",
            aid,
            versions,
            person_id=None,
            keys=("acct:" + aid,),
            # its phone leads to the person through the contact that names the account
            links=("phone:" + sole,) if sole else (),
            noise=("account_only_phone",) if sole else (),
        )
        return aid
    return ""


def crm_records(life: Life) -> None:
    p = life.person
    if "crm" not in p.systems or life.ids.crm_contact is None:
        return
    rng = life.stream("crm")
    dice = life.dice(rng)
    acct = _account(life, rng)
    business = p.employer is not None and acct == account_id(_BUSINESS_BASE + p.employer, life.seed)
    created = p.since["crm"]
    master = _Contact(
        life, rng, life.typist(rng, agent=True), life.ids.crm_contact, acct, created, True, business
    )
    end = life.horizon + 1
    master_versions = _versions(master, life, end)
    dup: _Contact | None = None
    dup_versions: list[Version] = []
    merged = False
    if dice.hit("duplicate_contact"):
        forced = "duplicate_contact" in p.forced
        lo = created + 30 * DAY
        t_dup = HISTORY_START + 30 * DAY if forced else between(rng, lo, FULL_DAY + 45 * DAY)
        dup = _Contact(
            life,
            rng,
            life.typist(rng, agent=True),
            life.ids.crm_duplicate or "",
            acct if rng.random() < 0.5 else "",
            t_dup,
            False,
            False,
        )
        dup_versions = _versions(dup, life, end)
        if dice.hit("contact_merge"):
            t_merge = (
                FULL_DAY + 10 * 3600
                if "contact_merge" in p.forced
                else between(rng, max(t_dup + 3 * DAY, FULL_DAY - 40 * DAY), FULL_DAY + 40 * DAY)
            )
            dup_versions = [v for v in dup_versions if v.at < t_merge]
            dup_versions.append(
                Version(
                    t_merge,
                    dup.row(t_merge, deleted=True, master=master.cid),
                    deleted=True,
                    merged_into=master.cid,
                    noise=("contact_merge",),
                )
            )
            # the master's LastModifiedDate moves with the merge; blanks are filled from the
            # duplicate
            if not master.email and dup.email:
                master.email = dup.email
            master_versions = (
                [v for v in master_versions if v.at < t_merge]
                + [Version(t_merge, master.row(t_merge))]
                + [v for v in master_versions if v.at > t_merge]
            )
            merged = True
    if dice.hit("contact_delete"):
        forced = "contact_delete" in p.forced
        target = dup if dup is not None and not merged else master
        tv = dup_versions if target is dup else master_versions
        t_del = (
            FULL_DAY + 14 * 3600
            if forced
            else between(
                rng, max(target.created + 30 * DAY, FULL_DAY - 60 * DAY), FULL_DAY + 50 * DAY
            )
        )
        kept = [v for v in tv if v.at < t_del]
        kept.append(
            Version(t_del, target.row(t_del, deleted=True), deleted=True, noise=("contact_delete",))
        )
        if target is dup:
            dup_versions = kept
        else:
            master_versions = kept
    life.add(
        "crm",
        "contacts",
        master.cid,
        master_versions,
        keys=tuple(sorted(master.keys)),
        noise=master.ty.applied + master.noise,
    )
    if dup is not None:
        life.add(
            "crm",
            "contacts",
            dup.cid,
            dup_versions,
            keys=tuple(sorted(dup.keys)),
            noise=["duplicate_contact", *dup.ty.applied, *dup.noise],
        )
