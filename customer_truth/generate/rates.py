"""How often the generator plants each kind of noise SOURCES.md lists under "What real extracts
get wrong". One field per kind; `scaled` multiplies them all, `with_overrides` sets single kinds.

Each rate is a probability per unit; the unit is part of the kind's documentation in `UNITS`.
Whatever the rate, a rate above zero plants at least one instance in any world of 10+ persons
(the first persons are "forced" carriers, see `people.FORCED`), and a rate of zero plants none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class NoiseRates:
    # identity noise
    email_case: float = 0.06
    email_whitespace: float = 0.02
    phone_extension: float = 0.03
    phone_missing_country_code: float = 0.25
    name_typo: float = 0.02
    nickname: float = 0.15
    swapped_names: float = 0.01
    married_name: float = 0.03
    address_move: float = 0.06
    work_email: float = 0.08
    # shared and junk identifiers
    household_landline: float = 0.6
    family_email: float = 0.3
    placeholder_email: float = 0.01
    placeholder_phone: float = 0.02
    company_phone: float = 0.01
    recycled_phone: float = 0.01
    recycled_tracking_code: float = 0.004
    # one person, several records in one system
    duplicate_contact: float = 0.06
    contact_merge: float = 0.6
    contact_delete: float = 0.01
    duplicate_shop_account: float = 0.03
    deleted_billing_customer: float = 0.02
    # an identifier only one unusual place carries (the right customer on data never seen)
    order_only_phone: float = 0.09
    account_only_phone: float = 0.06
    order_only_email: float = 0.06
    charge_only_email: float = 0.05
    # repeat contacts and erasures that are hard to follow
    repeat_unresolved: float = 0.5
    hard_erasure: float = 0.5
    # delivery noise
    duplicate_delivery: float = 0.01
    late_update: float = 0.15
    clock_skew: float = 0.04
    local_offset: float = 0.7
    csv_bom: float = 0.5
    # broken input, per delivered line unless UNITS says otherwise
    truncated_json: float = 0.0003
    invalid_json: float = 0.0002
    non_utf8: float = 0.02
    wrong_type: float = 0.0003
    missing_id: float = 0.0002
    csv_field_count: float = 0.001
    unknown_enum: float = 0.0005
    unexpected_field: float = 0.001
    long_value: float = 0.0002
    markup_text: float = 0.0004
    empty_file: float = 0.02
    count_mismatch: float = 0.01

    def scaled(self, factor: float) -> NoiseRates:
        """Every rate times `factor`, capped at 1."""
        if factor < 0:
            raise ValueError("the noise scale must be zero or more")
        return replace(self, **{k: min(1.0, v * factor) for k, v in asdict(self).items()})

    def with_overrides(self, overrides: Mapping[str, float]) -> NoiseRates:
        unknown = sorted(set(overrides) - set(KINDS))
        if unknown:
            raise ValueError(
                f"unknown noise kind(s): {', '.join(unknown)}; known: {', '.join(KINDS)}"
            )
        for kind, value in overrides.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"rate {kind}={value} is not a probability between 0 and 1")
        return replace(self, **dict(overrides))

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


KINDS: tuple[str, ...] = tuple(f.name for f in fields(NoiseRates))

# What one trial of each kind is: the README's rate table is built from this.
UNITS: dict[str, str] = {
    "email_case": "record: its email typed in odd case (John.Smith@Gmail.com)",
    "email_whitespace": "record: its email with leading/trailing spaces",
    "phone_extension": "agent-typed record: its main phone with an extension (x12)",
    "phone_missing_country_code": "record: non-NANP phones in national form, no +44/+49",
    "name_typo": "record: a name with a letter dropped, doubled or swapped",
    "nickname": "record: the nickname as given name (Bob for Robert)",
    "swapped_names": "record: first and last name swapped",
    "married_name": "person: changes family name; older records keep the old one",
    "address_move": "person (or household): moves; systems catch up late or never",
    "work_email": "person: uses a work email in some systems",
    "household_landline": "household: members share a landline",
    "family_email": "household: members share smithfamily@... style email",
    "placeholder_email": "record: test@test.com, none@none.com, N/A, unknown as email",
    "placeholder_phone": "record: 0000000000, N/A, unknown as main phone",
    "company_phone": "agent-typed record: the company's own number as main phone",
    "recycled_phone": "person: gets a number another person gave up",
    "recycled_tracking_code": "shipment: carrier reuses an older shipment's tracking code",
    "duplicate_contact": "CRM person: a second contact record",
    "contact_merge": "duplicate CRM contact: merged into the master (MasterRecordId)",
    "contact_delete": "CRM contact: deleted (IsDeleted=true)",
    "duplicate_shop_account": "commerce person: a second Shopify account (work email)",
    "deleted_billing_customer": "Stripe customer: deleted (stub in an incremental)",
    "order_only_phone": "person who shops: calls from a mobile only their orders carry",
    "account_only_phone": "single CRM person: calls from a mobile only their Individual account's "
    "Phone carries",
    "order_only_email": "person who shops: checks out (and chats) with an email only orders carry",
    "charge_only_email": "Stripe payer: their card's billing email (also given in chats) is on "
    "charges only",
    "repeat_unresolved": "planted repeat streak (3+ contacts about one issue in a week): no later "
    "contact resolves it",
    "hard_erasure": "erased person: their records are split (a work email or a phone only one "
    "system holds) and the request names that identifier",
    "duplicate_delivery": "delivered line: delivered again, same or next batch",
    "late_update": "record with several versions: an older one arrives again after a newer one",
    "clock_skew": "Segment device: the client clock is off (timestamp vs receivedAt)",
    "local_offset": "Segment device: timestamps carry the local UTC offset, not Z",
    "csv_bom": "CSV file: starts with a UTF-8 BOM",
    "truncated_json": "JSONL line: an extra, truncated copy of the line",
    "invalid_json": "JSONL line: an extra garbage line after it (HTML, bad JSON, non-object)",
    "non_utf8": "file's rows of 1,024 persons: one extra row copy carrying cp1252 bytes",
    "wrong_type": "line: an extra copy with a documented field of the wrong type",
    "missing_id": "line: an extra copy without its required id",
    "csv_field_count": "CSV record: an extra copy with an unquoted comma (one field too many)",
    "unknown_enum": "line: an enum field gets a value SOURCES.md does not list (row stays)",
    "unexpected_field": "JSONL line: a field SOURCES.md does not list (row stays)",
    "long_value": "JSONL line: a free-text field becomes very long (row stays)",
    "markup_text": "JSONL line: free text that looks like SQL or HTML (row stays)",
    "empty_file": "incremental file: delivered empty; its rows come one batch later",
    "count_mismatch": "file: `_SUCCESS` declares a different row count",
}


def parse_overrides(items: Iterable[str]) -> dict[str, float]:
    """`["late_update=0.1", ...]` -> {"late_update": 0.1}; raises ValueError with the reason."""
    out: dict[str, float] = {}
    for item in items:
        kind, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--rate {item!r}: expected KIND=VALUE")
        try:
            out[kind.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--rate {item!r}: {value!r} is not a number") from None
    return out
