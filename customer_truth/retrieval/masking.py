"""One value under one mask (``clear|partial|hash|drop``, see ``policies/consumers.yml``).

Why each mask is safe against enumeration: the comment below the imports.
"""

from __future__ import annotations

import re
from typing import Any

from customer_truth.privacy.pseudonyms import PseudonymKey

# ``hash`` is a keyed pseudonym (``customer_truth/privacy/pseudonyms.py``): ``hmac-sha256:<hex>``
# of the value as published (normalised), under the deployment's secret. The same email gives the
# same pseudonym in every table, release and consumer of one deployment, so consumers count and
# join; without the secret nobody can compute one, so nobody can test candidates against it.
#
# Every mask, reviewed against the attack that broke the unkeyed hash (enumerate the candidates,
# compute the mask of each, compare with what the consumer received):
#
# - ``hash``: unkeyed sha-256 failed it (one US exchange is 10^4 numbers, an area code 10^7, an
#   email a dictionary word plus a provider). Keyed, a candidate's pseudonym cannot be computed,
#   so enumeration has nothing to compare with. Keyed pseudonyms are therefore not the sha-256
#   match keys of ad platforms; an audience upload is an export of its own, not a consumer read.
# - ``partial`` gives enough to recognise, and stays many-to-one whatever is enumerated: every
#   candidate that shares the shown part is equally consistent with it, and nothing else in the
#   answer tells them apart.
#   - phone ``+**********67``: the last two digits (and the digit count); 10^8 numbers of the +1
#     plan share them, 10^5 even within one known area code. The country code is not shown.
#   - email ``j***@m***.net``: the first letter of the address, the domain's initial and its last
#     label. The domain is not kept whole: on a personal or small-company domain
#     (``a***@annlee.com``) it alone points at a person or a handful of people.
#   - date (a birth date) ``1984``: the year; 365 days share it, and with the rest of a partial
#     profile (initial, postal prefix) tens of thousands of people.
#   - postal code ``94***``: the first two characters; a US ZIP prefix is a region of a state (on
#     the order of a million people), a UK ``M1``/``SW`` a district or area (thousands of
#     addresses or more), a Canadian ``K1`` part of a city, a German ``10`` part of a Land.
#     The rest of the code and its length are hidden.
#   - name ``Q.``: the initial, one of about 26.
#   - anything else ``x***``: the first character.
#   What ``partial`` cannot judge is the combination a policy grants in clear: marketing reads the
#   given name and city beside the initial, year and postal prefix, enough to narrow a small town
#   to a few people. That is the policy's choice, stated in ``policies/consumers.yml``.
# - ``drop``: ``[withheld]``, nothing to enumerate.
#
# Hashes that are not masks: the erasure list (``publish.erased_customers.identifier_sha256``,
# ``privacy.erasure_suppressed_identifiers``) and the redaction cache key identifiers and texts
# by unkeyed sha-256 inside the warehouse; those relations are never published and no consumer
# reads them. ``customer_id`` (clear for every consumer) is ``ct_`` + 16 hex of the sha-256 of
# its founding record uid (``identity/stable_ids.py``), which is ``<system>:<entity>:<record
# id>``: a consumer who can enumerate a system's record ids can recover the founding record's
# id from it, and that id is hashed for marketing and analysts. Re-keying customer ids changes
# every id of a deployment and is left to identity.

WITHHELD = "[withheld]"
STRICTNESS = {"clear": 0, "partial": 1, "hash": 2, "drop": 3}

_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}")


def strictest(*masks: str) -> str:
    return max(masks, key=STRICTNESS.__getitem__)


def kind_of(name: str) -> str:
    """The kind of value a column, context field or identifier type holds, for ``partial``."""
    leaf = name.rsplit(".", 1)[-1]
    if leaf.endswith(("_id", "_at", "_system")):
        return "other"  # provenance and keys: `email_source_record_id` is not an email
    if "email" in leaf:
        return "email"
    if "phone" in leaf:
        return "phone"
    if "postal_code" in leaf:
        return "postal_code"
    if leaf.endswith("date"):
        return "date"
    if leaf.endswith(("given_name", "family_name")):
        return "name"
    return "other"


def _partial(text: str, kind: str) -> str:
    if kind == "email" and "@" in text:
        local, _, domain = text.rpartition("@")
        top = domain.rsplit(".", 1)[-1] if "." in domain else ""
        return f"{local[:1]}***@{domain[:1]}***" + (f".{top}" if top else "")
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        return ("+" if text.startswith("+") else "") + "*" * max(len(digits) - 2, 0) + digits[-2:]
    if kind == "date":
        match = _DATE.match(text)
        return match.group(1) if match else WITHHELD
    if kind == "postal_code":
        return text[:2] + "***"
    if kind == "name":
        return text[:1] + "."
    return text[:1] + "***"


def mask_value(value: Any, mask: str, kind: str, key: PseudonymKey) -> Any:
    """``value`` under ``mask``; None stays None (nothing to hide), non-strings are masked as
    their text (a date, a number). ``key`` is the deployment's, for ``hash``."""
    if value is None or mask == "clear":
        return value
    if mask == "drop":
        return WITHHELD
    text = value if isinstance(value, str) else str(value)
    if mask == "hash":
        return key.pseudonym(text)
    if mask == "partial":
        return _partial(text, kind)
    raise ValueError(f"unknown mask {mask!r}")
