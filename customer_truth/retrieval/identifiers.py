"""What a caller typed -> the (identifier_type, identifier_value) keys it could be.

The values are normalised exactly as ``identifier_lookup`` stores them (../shared/PUBLISHED.md
and ``bdg_identifier_lookup.sql``): emails lower-case and trimmed, phones E.164 through the
identity standardiser (phonenumbers), order names ``#1234``, tracking codes upper-case without
spaces, system ids as delivered. One input may be several keys (``1001`` is an order number and
could be a system id); the lookup keeps only keys that exist, and when those name different
customers the answer is the candidates, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from customer_truth.identity.standardize import DEFAULT_COUNTRY, normalize_email, normalize_phone

# identifier types whose value is a system's own id, matched as delivered (ids are case-sensitive)
SYSTEM_ID_TYPES = (
    "crm_contact_id",
    "commerce_customer_id",
    "billing_customer_id",
    "support_user_id",
    "anonymous_id",
    "user_id",
)
# every identifier_type of identifier_lookup (../shared/PUBLISHED.md)
IDENTIFIER_TYPES = ("email", "phone", *SYSTEM_ID_TYPES, "order_name", "tracking_code")
# the pipeline's own key, resolved through customer_profile rather than identifier_lookup
CUSTOMER_ID = "customer_id"

# same rule as the dbt macro normalize_order_name
_ORDER_NAME = re.compile(r"(order)?\s*(no\.?|number)?\s*#?\s*([0-9]{1,18})")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class IdentifierKey:
    identifier_type: str
    identifier_value: str


def normalise_order_name(raw: str) -> str | None:
    match = _ORDER_NAME.fullmatch(raw.strip().lower())
    return f"#{int(match.group(3))}" if match else None


def candidate_keys(raw: str, default_region: str = DEFAULT_COUNTRY) -> list[IdentifierKey]:
    """Every key ``raw`` may stand for, most specific first; empty for blank input."""
    text = raw.strip()
    if not text:
        return []
    if "@" in text:
        # an email is only ever an email: no other identifier type holds an @
        email = normalize_email(text)
        return [IdentifierKey("email", email)] if email else []
    keys: list[IdentifierKey] = []
    phone = normalize_phone(text, default_region)
    if phone:
        keys.append(IdentifierKey("phone", phone))
    order_name = normalise_order_name(text)
    if order_name:
        keys.append(IdentifierKey("order_name", order_name))
    compact = _WHITESPACE.sub("", text)
    keys.append(IdentifierKey("tracking_code", compact.upper()))
    keys.extend(IdentifierKey(kind, compact) for kind in (*SYSTEM_ID_TYPES, CUSTOMER_ID))
    return keys
