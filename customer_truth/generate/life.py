"""One person's simulated life: the context every system builder and journey writes into.

`Life` holds the person, their ids in each system (planned up front, so every process can refer
to them), named random streams, and what the life produced: records, incidents, erasure
requests. Processes run over [history start, world horizon]; each draws from its own stream, so
adding days only appends to what each process produced.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from customer_truth.generate import ids
from customer_truth.generate.clock import Schedule
from customer_truth.generate.noise import Typist
from customer_truth.generate.people import Person
from customer_truth.generate.records import SPEC, Record, Version
from customer_truth.generate.rng import Dice, stream

# The processes of a life, each with its own id ranges, and how many ids of a kind each has.
PROCESSES = ("static", "shop", "service", "billing")
CAPACITY = {
    "order": 64,
    "shipment": 64,
    "tracking_event": 512,
    "ticket": 64,
    "charge": 256,
    "invoice": 128,
}


@dataclass(frozen=True)
class WorldCtx:
    seed: int
    rates: dict[str, float]
    schedule: Schedule
    activity: float = 1.0  # scales how often people browse, shop, contact and write

    @property
    def horizon(self) -> int:
        return self.schedule.horizon


@dataclass(slots=True)
class Incident:
    incident_id: str
    kind: str  # delivery_delayed | payment_failed | repeat_contact | bad_csat_open
    person_id: str
    began_at: int
    resolved_at: int | None  # when the condition ends (may lie beyond the world's end)
    refs: dict[str, Any]


@dataclass(slots=True)
class SystemIds:
    """A person's ids in each system, known before anything happens."""

    crm_contact: str | None = None
    crm_duplicate: str | None = None
    shop_customer: int | None = None
    shop_duplicate: int | None = None
    stripe_customer: str | None = None  # own, or the household payer's
    zendesk_user: int | None = None


@dataclass
class Life:
    world: WorldCtx
    person: Person
    ids: SystemIds = field(default_factory=SystemIds)
    records: list[Record] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    erasures: list[dict[str, Any]] = field(default_factory=list)
    process: str = "static"  # the process now running: its own id ranges
    _seq: dict[tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        p, seed = self.person, self.world.seed
        n = p.idx * 4
        if "crm" in p.systems:
            self.ids.crm_contact = ids.salesforce_id("003", n, seed)
            self.ids.crm_duplicate = ids.salesforce_id("003", n + 1, seed)
        if p.shop_account:
            self.ids.shop_customer = ids.SHOP_CUSTOMER_BASE + n
            self.ids.shop_duplicate = ids.SHOP_CUSTOMER_BASE + n + 1
        if "billing" in p.systems:
            payer = p.household.payer if p.household and not p.billing_payer else None
            self.ids.stripe_customer = ids.stripe_id(
                "cus_", (payer if payer is not None else p.idx) * 4, seed
            )
        if "support" in p.systems:
            self.ids.zendesk_user = ids.ZENDESK_USER_BASE + n

    @property
    def seed(self) -> int:
        return self.world.seed

    @property
    def horizon(self) -> int:
        return self.world.horizon

    def stream(self, topic: str) -> random.Random:
        return stream(self.world.seed, "life", self.person.idx, topic)

    def dice(self, rng: random.Random) -> Dice:
        return Dice(rng, self.world.rates, self.person.forced)

    def typist(self, rng: random.Random, *, agent: bool) -> Typist:
        return Typist(rng, self.dice(rng), self.person, agent=agent)

    def counter(self, kind: str) -> int:
        """The next counter for `kind` in the running process, unique across the world.

        Each process has its own range, so a process that runs longer in a longer world
        never shifts the ids of another: (idx * processes + process) * capacity + k.
        Processes stop creating records of a kind when `has_room` says the range is used."""
        key = (kind, self.process)
        k = self._seq.get(key, 0)
        cap = CAPACITY[kind]
        if k >= cap:
            raise OverflowError(f"person {self.person.idx} has used every {kind} id")
        self._seq[key] = k + 1
        return (self.person.idx * len(PROCESSES) + PROCESSES.index(self.process)) * cap + k

    def has_room(self, kind: str, n: int = 1) -> bool:
        return self._seq.get((kind, self.process), 0) + n <= CAPACITY[kind]

    def add(
        self,
        system: str,
        entity: str,
        record_id: str,
        versions: list[Version],
        *,
        keys: tuple[str, ...] = (),
        occurred_at: int | None = None,
        journey_id: str | None = None,
        noise: tuple[str, ...] | list[str] = (),
        links: tuple[str, ...] = (),
        person_id: str | None = "",
    ) -> Record:
        rec = Record(
            SPEC[(system, entity)],
            record_id,
            self.person.person_id if person_id == "" else person_id,
            versions,
            keys=tuple(k for k in keys if k),
            occurred_at=occurred_at,
            journey_id=journey_id,
            noise=tuple(noise),
            links=tuple(links),
        )
        self.records.append(rec)
        return rec

    def incident(
        self, kind: str, began_at: int, resolved_at: int | None, refs: dict[str, Any]
    ) -> Incident:
        key = ("incident", self.process)
        k = self._seq.get(key, 0)
        self._seq[key] = k + 1
        inc = Incident(
            f"J{self.person.idx:07d}{self.process[0]}{k}",
            kind,
            self.person.person_id,
            began_at,
            resolved_at,
            refs,
        )
        self.incidents.append(inc)
        return inc
