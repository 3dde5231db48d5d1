"""The generator's intermediate form: source records with their versions over time.

A person's simulated life produces `Record`s; each holds the versions a source system would
export as the record changes (`Version.at` is when a version becomes visible to the extract).
`delivery` later decides which versions reach which batch. Payloads are already in the vendor's
shape, so a version is rendered once and may be delivered several times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EntitySpec:
    system: str
    entity: str
    ext: str
    id_field: str
    # stream: every version is exported (Connect CTRs, webhooks); otherwise an extract holds the
    # record's latest version as of the extraction
    stream: bool
    # the record carries its own modification time, so an older version arriving late is
    # recognisable (not Stripe: its objects are ordered by batch)
    reorder: bool
    identity: str | None  # its truth entity in identity_records
    event: bool  # a truth row in events

    @property
    def file_name(self) -> str:
        return f"{self.entity}.{self.ext}"


def _spec(
    system: str,
    entity: str,
    ext: str,
    id_field: str,
    *,
    stream: bool = False,
    reorder: bool = True,
    identity: str | None = None,
    event: bool = False,
) -> EntitySpec:
    return EntitySpec(system, entity, ext, id_field, stream, reorder, identity, event)


SPECS: tuple[EntitySpec, ...] = (
    _spec("crm", "contacts", "csv", "Id", identity="contacts"),
    _spec("crm", "accounts", "csv", "Id"),
    _spec("contact_center", "contact_records", "jsonl", "ContactId", stream=True, event=True),
    _spec("contact_center", "transcripts", "jsonl", "ContactId", stream=True, event=True),
    _spec("digital", "events", "jsonl", "messageId", stream=True, reorder=False, event=True),
    _spec("commerce", "customers", "jsonl", "id", identity="customers"),
    _spec("commerce", "orders", "jsonl", "id", event=True),
    _spec("billing", "customers", "jsonl", "id", reorder=False, identity="customers"),
    _spec("billing", "invoices", "jsonl", "id", reorder=False, event=True),
    _spec("billing", "charges", "jsonl", "id", reorder=False, event=True),
    _spec("support", "users", "jsonl", "id", identity="users"),
    _spec("support", "tickets", "jsonl", "id", event=True),
    _spec("logistics", "tracking_events", "jsonl", "id", stream=True, reorder=False, event=True),
    _spec("privacy", "erasure_requests", "jsonl", "request_id", stream=True, reorder=False),
)
SPEC: dict[tuple[str, str], EntitySpec] = {(s.system, s.entity): s for s in SPECS}
ENTITIES_OF: dict[str, tuple[EntitySpec, ...]] = {}
for _s in SPECS:
    ENTITIES_OF[_s.system] = (*ENTITIES_OF.get(_s.system, ()), _s)

CRM_CONTACT_COLUMNS: tuple[str, ...] = (
    "Id",
    "AccountId",
    "Salutation",
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "MobilePhone",
    "HomePhone",
    "Birthdate",
    "MailingStreet",
    "MailingCity",
    "MailingState",
    "MailingPostalCode",
    "MailingCountry",
    "HasOptedOutOfEmail",
    "DoNotCall",
    "IsDeleted",
    "MasterRecordId",
    "CreatedDate",
    "LastModifiedDate",
)
CRM_ACCOUNT_COLUMNS: tuple[str, ...] = (
    "Id",
    "Name",
    "AccountNumber",
    "Type",
    "BillingStreet",
    "BillingCity",
    "BillingState",
    "BillingPostalCode",
    "BillingCountry",
    "Phone",
    "IsDeleted",
    "CreatedDate",
    "LastModifiedDate",
)
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "contacts": CRM_CONTACT_COLUMNS,
    "accounts": CRM_ACCOUNT_COLUMNS,
}


class Version:
    """One exportable state of a record."""

    __slots__ = ("at", "payload", "deleted", "merged_into", "noise")

    def __init__(
        self,
        at: int,
        payload: dict[str, Any],
        *,
        deleted: bool = False,
        merged_into: str | None = None,
        noise: tuple[str, ...] = (),
    ) -> None:
        self.at = at
        self.payload = payload
        self.deleted = deleted
        self.merged_into = merged_into
        self.noise = noise  # noise kinds this version (not the record) carries


class Record:
    """A source record: its identity, the person behind it, and its versions in time order.

    `keys` are the linking identifiers the record carries ("email:...", "phone:+1...",
    "shop:123", "order:#1001", ...), normalised; truth uses them to decide whether landing
    data holds a path from an event to its person. `noise` lists the noise kinds the record
    carries from its creation on.
    """

    __slots__ = (
        "spec",
        "record_id",
        "person_id",
        "versions",
        "keys",
        "occurred_at",
        "journey_id",
        "noise",
        "links",
    )

    def __init__(
        self,
        spec: EntitySpec,
        record_id: str,
        person_id: str | None,
        versions: list[Version],
        *,
        keys: tuple[str, ...] = (),
        occurred_at: int | None = None,
        journey_id: str | None = None,
        noise: tuple[str, ...] = (),
        links: tuple[str, ...] = (),
    ) -> None:
        self.spec = spec
        self.record_id = record_id
        self.person_id = person_id
        self.versions = versions
        self.keys = keys
        self.occurred_at = occurred_at
        self.journey_id = journey_id
        self.noise = noise
        # identifiers this record makes resolvable when it lands (an identify links its
        # anonymousId; an order links its tracking codes and segment_anonymous_id)
        self.links = links
