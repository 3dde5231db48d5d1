"""One value under one mask (``clear|partial|hash|drop``, see ``policies/consumers.yml``).

``partial`` depends on what the value is (``kind_of`` reads it from the column, field or
identifier type name): enough to recognise, never enough to identify or to look the person up.
``hash`` is sha-256 of the value as published (normalised), so the same email hashes the same in
every table and release, and equals what ad platforms and the erasure list use.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

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


def hash_value(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def _partial(text: str, kind: str) -> str:
    if kind == "email" and "@" in text:
        local, _, domain = text.rpartition("@")
        return f"{local[:1]}***@{domain}"
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


def mask_value(value: Any, mask: str, kind: str = "other") -> Any:
    """``value`` under ``mask``; None stays None (nothing to hide), non-strings are masked as
    their text (a date, a number)."""
    if value is None or mask == "clear":
        return value
    if mask == "drop":
        return WITHHELD
    text = value if isinstance(value, str) else str(value)
    if mask == "hash":
        return hash_value(text)
    if mask == "partial":
        return _partial(text, kind)
    raise ValueError(f"unknown mask {mask!r}")
