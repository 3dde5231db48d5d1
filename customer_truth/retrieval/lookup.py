"""``lookup``: any identifier -> the customer's context under a consumer's policy.

Resolution goes through the published ``identifier_lookup`` of one release (the current one,
or the one current at ``as_of``); the answer is built from that release's ``customer_profile``
and ``customer_context`` only, masked by the consumer's policy (``policy.py``: rows, context
JSON and brief, then every string), and logged (``access_log.py``). Three outcomes:

- ``found``: one customer; ``customer`` holds the masked profile, context and brief;
- ``ambiguous``: the input names several customers (a household landline, a recycled tracking
  code that is current for none, an input that is one customer's phone and another's order
  number): ``candidates`` lists each, masked, and no context is returned;
- ``not_found``: nothing in this release resolves it (or it is blank or malformed).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from customer_truth.identity.standardize import DEFAULT_COUNTRY
from customer_truth.privacy.policies import PolicyError
from customer_truth.privacy.pseudonyms import pseudonym_key
from customer_truth.publication.reader import NoReleaseError, Release, release_as_of
from customer_truth.retrieval.access_log import append_access
from customer_truth.retrieval.identifiers import CUSTOMER_ID, IdentifierKey, candidate_keys
from customer_truth.retrieval.index import (
    CONTEXT_TABLE,
    LOOKUP_TABLE,
    PROFILE_TABLE,
    Home,
    ReleaseIndex,
    home_dir,
    known_releases,
    release_index,
)
from customer_truth.retrieval.policy import ATTRIBUTES, AccessDenied, ConsumerPolicy, substitute
from customer_truth.settings import load_settings, pseudonym_key_file

FOUND, AMBIGUOUS, NOT_FOUND = "found", "ambiguous", "not_found"
# what a candidate of an ambiguous answer shows (then masked by the profile policy): enough for
# the agent to ask the caller which one they are
CANDIDATE_COLUMNS = (
    "customer_id",
    "household_id",
    "given_name",
    "family_name",
    "city",
    "country",
    "last_seen_at",
)

__all__ = ["AccessDenied", "ContextResponse", "NoReleaseError", "PolicyError", "lookup"]


@dataclass(frozen=True)
class ContextResponse:
    status: str
    consumer: str
    publication_id: str
    published_at: str
    identifier_types: list[str]
    message: str
    customer: dict[str, Any] | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=str, ensure_ascii=False)

    @property
    def text(self) -> str:
        """The plain-text brief (found), the candidate list (ambiguous), or the message."""
        if self.customer is not None and self.customer.get("context_text"):
            return str(self.customer["context_text"])
        lines = [self.message]
        for candidate in self.candidates:
            details = ", ".join(
                f"{k} {', '.join(v) if isinstance(v, list) else v}"
                for k, v in candidate.items()
                if k != "customer_id" and v is not None
            )
            lines.append(f"- {candidate.get('customer_id')}: {details}")
        return "\n".join(lines)


def _as_datetime(value: datetime | str) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _choose_release(home: Home, as_of: datetime | str | None) -> tuple[Release, bool]:
    """The release to read and whether it is the current one."""
    known = known_releases(home)
    if not known:
        raise NoReleaseError("nothing has been published yet")
    if as_of is None:
        return known[-1], True
    release = release_as_of(home, _as_datetime(as_of))
    if release is None:
        raise NoReleaseError(f"no release was published by {as_of}")
    return release, release.publication_id == known[-1].publication_id


def _matches(index: ReleaseIndex, keys: list[IdentifierKey]) -> list[tuple[str, str]]:
    """(identifier_type, customer_id) for every key that exists in the release."""
    wanted = {(k.identifier_type, k.identifier_value) for k in keys}
    by_id = next((k.identifier_value for k in keys if k.identifier_type == CUSTOMER_ID), None)
    values = sorted({k.identifier_value for k in keys if k.identifier_type != CUSTOMER_ID})
    rows = [
        row
        for row in index.resolve(values, by_id)
        if (row["identifier_type"], row["identifier_value"]) in wanted
    ]
    # a recycled tracking code: the customer of its latest shipment, when the lookup says so
    current = {
        (r["identifier_type"], r["identifier_value"])
        for r in rows
        if r["identifier_type"] == "tracking_code" and r["is_current"]
    }
    return [
        (row["identifier_type"], row["customer_id"])
        for row in rows
        if row["identifier_type"] != "tracking_code"
        or row["is_current"]
        or (row["identifier_type"], row["identifier_value"]) not in current
    ]


def _check_policy(index: ReleaseIndex, policy: ConsumerPolicy) -> None:
    """Every column the policy names exists in this release (once per release and consumer)."""
    if policy.name in index.checked:
        return
    for table, columns in index.columns.items():
        policy.check_columns(table, columns)
    index.checked.add(policy.name)


def lookup(
    identifier: str,
    *,
    consumer: str,
    as_of: datetime | str | None = None,
    home: Home | None = None,
    default_region: str = DEFAULT_COUNTRY,
    index: ReleaseIndex | None = None,
    customer_id_only: bool = False,
) -> ContextResponse:
    """Resolve ``identifier`` in one release and return what ``consumer`` may see of the
    customer (see the module docstring). Raises ``PolicyError`` for an unknown consumer or a
    policy that names missing columns, ``AccessDenied`` when the policy does not allow the
    tables a lookup reads, ``NoReleaseError`` when nothing was published (by ``as_of``).

    ``index``: read exactly this release's index (a server pins one per request, so a
    publication in between cannot give it a mix); ``as_of`` then only goes to the log.
    ``customer_id_only``: ``identifier`` is a customer_id (an API path names one), so no other
    identifier type is tried."""
    policy = ConsumerPolicy.load(consumer)
    lookup_rule = policy.table(LOOKUP_TABLE)
    profile_rule = policy.table(PROFILE_TABLE)
    context_rule = policy.table(CONTEXT_TABLE)
    home = home if home is not None else load_settings()
    if index is None:
        chosen, current = _choose_release(home, as_of)
        index = release_index(home, chosen, current=current)
    release = index.release
    _check_policy(index, policy)
    key = pseudonym_key(pseudonym_key_file(home_dir(home)))

    keys = (
        [IdentifierKey(CUSTOMER_ID, identifier.strip())]
        if customer_id_only
        else candidate_keys(identifier, default_region)
    )
    # a customer id on a warmed index (a server's): its whole record in one probe
    record = (
        index.customer_record(keys[0].identifier_value) if customer_id_only and index.hot else None
    )
    if customer_id_only and index.hot:
        matches = [(CUSTOMER_ID, keys[0].identifier_value)] if record is not None else []
    else:
        matches = _matches(index, keys)
    customer_ids = sorted({customer for _, customer in matches})
    types = sorted({kind for kind, _ in matches})
    # only what the policy grants, plus the golden attributes pass 3 must recognise anywhere
    wanted = [
        c
        for c in index.columns[PROFILE_TABLE]
        if c in ATTRIBUTES
        or c == "customer_id"
        or profile_rule.column_mask(c) not in (None, "drop")
    ]
    if record is not None:
        profiles = [{c: record["profile"].get(c) for c in wanted}]
    else:
        profiles = index.profiles(customer_ids, wanted)
    customer: dict[str, Any] | None = None
    candidates: list[dict[str, Any]] = []
    if not customer_ids:
        status, message = NOT_FOUND, "not found: no customer has this identifier in this release"
    elif len(customer_ids) == 1:
        status, message = FOUND, "found"
        customer = {"customer_id": customer_ids[0]}
        if profiles:
            customer["profile"] = profile_rule.apply_row(profiles[0], key)
        row = record["context"] if record is not None else index.context(customer_ids[0])
        if row is not None and context_rule.column_mask("context") == "clear":
            customer["context"] = context_rule.apply_context(json.loads(row["context"]), key)
        if row is not None and context_rule.column_mask("context_text") == "clear":
            customer["context_text"] = context_rule.apply_brief(row["context_text"])
    else:
        status = AMBIGUOUS
        message = (
            f"ambiguous: {len(customer_ids)} customers share this identifier; "
            "ask the caller which one they are"
        )
        for profile in profiles:
            matched = sorted({k for k, c in matches if c == profile["customer_id"]})
            shown = profile_rule.apply_row({c: profile.get(c) for c in CANDIDATE_COLUMNS}, key)
            candidates.append({**shown, "matched_as": matched})

    # pass 3: every identifier of everyone in the answer, wherever it still appears in clear
    identifiers = [
        (row["identifier_type"], row["identifier_value"])
        for row in (
            record["identifiers"] if record is not None else index.identifiers_of(customer_ids)
        )
    ]
    replacements = policy.substitutions(identifiers, profiles, key)
    response = ContextResponse(
        status=status,
        consumer=policy.name,
        publication_id=release.publication_id,
        published_at=release.published_at.isoformat(),
        identifier_types=types if lookup_rule.column_mask("identifier_type") == "clear" else [],
        message=message,
        customer=substitute(customer, replacements),
        candidates=substitute(candidates, replacements),
    )
    append_access(
        home_dir(home),
        {
            "consumer": policy.name,
            "status": status,
            "customer_ids": customer_ids,
            "publication_id": release.publication_id,
            "published_at": release.published_at.isoformat(),
            "as_of": _as_datetime(as_of).isoformat() if as_of is not None else None,
            "identifier_types": types,
            "index": index.source,
        },
    )
    return response
