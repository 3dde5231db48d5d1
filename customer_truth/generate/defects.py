"""Broken input: rows that ingestion must quarantine, and odd rows it must keep.

Quarantined kinds are planted as EXTRA rows next to a real one (a corrupted re-delivery or
garbage), so the world's truth stays whole: truncated or invalid JSON, cp1252 bytes, a
documented field of the wrong type, a missing required id, a CSV record with a field too many.
Kinds that stay (unknown enum values, unexpected fields, very long values, text that looks like
SQL or markup) are planted in the real row, in fields that carry no identity.

Every planted row is reported with its 0-based position among the file's rows of the chunk;
the writer turns that into the file's line (JSONL) or record (CSV) number.
"""

from __future__ import annotations

import copy
import json
import math
import random
from collections.abc import Callable
from typing import Any

from customer_truth.generate.records import CSV_COLUMNS, EntitySpec

QUARANTINED = (
    "truncated_json",
    "invalid_json",
    "non_utf8",
    "wrong_type",
    "missing_id",
    "csv_field_count",
)
KEPT = ("unknown_enum", "unexpected_field", "long_value", "markup_text")
LINE_KINDS = QUARANTINED + KEPT

# where each kind is forced when its rate is above zero (first chunk, first suitable row)
FORCED_TARGET: dict[str, tuple[str, str]] = {
    "truncated_json": ("digital", "events"),
    "invalid_json": ("contact_center", "contact_records"),
    "non_utf8": ("commerce", "customers"),
    "wrong_type": ("billing", "charges"),
    "missing_id": ("commerce", "orders"),
    "csv_field_count": ("crm", "contacts"),
    "unknown_enum": ("support", "tickets"),
    "unexpected_field": ("commerce", "orders"),
    "long_value": ("support", "tickets"),
    "markup_text": ("support", "tickets"),
}

Payload = dict[str, Any]


def to_json(payload: Payload) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _q(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def to_csv(payload: Payload, columns: tuple[str, ...]) -> str:
    """One RFC 4180 record, every cell quoted (as the Bulk API writes), CRLF-terminated."""
    return ",".join(_q(payload.get(c) or "") for c in columns) + "\r\n"


# ---- wrong types: one documented field per entity, of the wrong JSON type class --------------


def _set(path: str, value: Callable[[Any], Any]) -> Callable[[Payload], bool]:
    keys = path.split(".")

    def apply(p: Payload) -> bool:
        node: Any = p
        for k in keys[:-1]:
            node = node.get(k) if isinstance(node, dict) else None
            if not isinstance(node, dict):
                return False
        if keys[-1] not in node:
            return False
        node[keys[-1]] = value(node[keys[-1]])
        return True

    return apply


WRONG_TYPE: dict[tuple[str, str], Callable[[Payload], bool]] = {
    ("contact_center", "contact_records"): _set("Attributes", lambda v: json.dumps(v or {})),
    ("contact_center", "transcripts"): _set("Categories", lambda v: "delivery"),
    ("digital", "events"): _set("context", lambda v: "web"),
    ("commerce", "customers"): _set("verified_email", lambda v: "true" if v else "false"),
    ("commerce", "orders"): _set("total_price", lambda v: float(v or 0)),
    ("billing", "customers"): _set("delinquent", lambda v: "false" if not v else "true"),
    ("billing", "invoices"): _set("amount_due", lambda v: f"{(v or 0) / 100:.2f}"),
    ("billing", "charges"): _set("amount", lambda v: f"{(v or 0) / 100:.2f}"),
    ("support", "users"): _set("shared_phone_number", lambda v: "no"),
    ("support", "tickets"): _set("tags", lambda v: ",".join(v or [])),
    ("logistics", "tracking_events"): _set("created_at", lambda v: 1772366400),
    ("crm", "contacts"): _set("Birthdate", lambda v: "03/14/1985"),
    ("crm", "accounts"): _set("IsDeleted", lambda v: "0"),
}


def _top(name: str, value: Any) -> Callable[[Payload], bool]:
    def apply(p: Payload) -> bool:
        p[name] = value
        return True

    return apply


def _prop(name: str, value: Any) -> Callable[[Payload], bool]:
    def apply(p: Payload) -> bool:
        if not isinstance(p.get("properties"), dict):
            return False
        p["properties"][name] = value
        return True

    return apply


def _screen(p: Payload) -> bool:
    # mobile SDKs send `screen` messages, which SOURCES.md does not list
    if p.get("type") != "page":
        return False
    p["type"] = "screen"
    return True


UNKNOWN_ENUM: dict[tuple[str, str], Callable[[Payload], bool]] = {
    ("support", "tickets"): _set("via.channel", lambda v: "whatsapp"),
    ("contact_center", "contact_records"): _set("InitiationMethod", lambda v: "QUEUE_TRANSFER"),
    ("crm", "accounts"): _set("Type", lambda v: "Partner"),
    ("digital", "events"): _screen,
}


def _transcript_first(p: Payload, text: Callable[[str], str]) -> bool:
    segs = p.get("Transcript")
    if not segs:
        return False
    segs[0]["Content"] = text(segs[0]["Content"])
    return True


def _attr(p: Payload, name: str, value: str) -> bool:
    if not isinstance(p.get("Attributes"), dict):
        return False
    p["Attributes"][name] = value
    return True


_FILLER = ("The customer explained the situation again in detail. " * 400).strip()
LONG_VALUE: dict[tuple[str, str], Callable[[Payload], bool]] = {
    ("support", "tickets"): _set("description", lambda v: f"{v} {_FILLER}"),
    ("digital", "events"): _prop("search_query", _FILLER[:9000]),
    ("contact_center", "transcripts"): lambda p: _transcript_first(p, lambda c: f"{c} {_FILLER}"),
    ("contact_center", "contact_records"): lambda p: _attr(p, "agent_notes", _FILLER[:12000]),
    ("commerce", "orders"): _top("note", _FILLER),
}
_SQL = "Robert'); DROP TABLE customers;--"
_HTML = "<script>alert('x')</script><b>URGENT</b>"
MARKUP: dict[tuple[str, str], Callable[[Payload], bool]] = {
    ("support", "tickets"): _set("subject", lambda v: f"{_HTML} {v}"),
    ("digital", "events"): _prop("search_query", "' OR 1=1; --"),
    ("contact_center", "transcripts"): lambda p: _transcript_first(p, lambda c: f"{c} {_SQL}"),
    ("contact_center", "contact_records"): lambda p: _attr(p, "notes", f"<div>{_SQL}</div>"),
    ("commerce", "orders"): _top("note", f"{_HTML} {_SQL}"),
}
_EXTRA_FIELDS = (
    ("_sdc_extracted_at", "2026-01-01T00:00:00Z"),
    ("x_legacy_ref", "LGC-00172"),
    ("sync_source", "legacy-etl"),
    ("x_score", 0.87),
)

_GARBAGE = (
    "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>",
    "null",
    '{"error": "rate limited", "retry_after": 30',
)


def applicable(spec: EntitySpec) -> tuple[str, ...]:
    key = (spec.system, spec.entity)
    if spec.ext == "csv":
        kinds = ["csv_field_count", "non_utf8", "wrong_type", "missing_id"]
        if key in UNKNOWN_ENUM:
            kinds.append("unknown_enum")
        return tuple(kinds)
    if spec.system == "privacy":
        return ()
    kinds = ["truncated_json", "invalid_json", "non_utf8", "missing_id", "unexpected_field"]
    for kind, table in (
        ("wrong_type", WRONG_TYPE),
        ("unknown_enum", UNKNOWN_ENUM),
        ("long_value", LONG_VALUE),
        ("markup_text", MARKUP),
    ):
        if key in table:
            kinds.append(kind)
    return tuple(kinds)


def _encode_cp1252(text: str) -> bytes:
    return text.encode("cp1252", errors="replace")


def plant(
    spec: EntitySpec, kind: str, payload: Payload, rng: random.Random
) -> tuple[bytes | None, bytes | None]:
    """(replacement for the real row or None, extra row or None) for one planted defect;
    (None, None) when the row offers nothing to plant it in."""
    key = (spec.system, spec.entity)
    csv = spec.ext == "csv"
    columns = CSV_COLUMNS.get(spec.entity, ())
    if kind in KEPT:
        p = copy.deepcopy(payload)
        if kind == "unexpected_field":
            name, value = _EXTRA_FIELDS[rng.randrange(len(_EXTRA_FIELDS))]
            p[name] = value
            ok = not csv
        else:
            table = {"unknown_enum": UNKNOWN_ENUM, "long_value": LONG_VALUE, "markup_text": MARKUP}[
                kind
            ]
            ok = key in table and table[key](p)
        if not ok:
            return None, None
        return (to_csv(p, columns) if csv else to_json(p) + "\n").encode(), None
    # quarantined kinds: an extra row
    p = copy.deepcopy(payload)
    if kind == "wrong_type":
        if key not in WRONG_TYPE or p.get("deleted") is True or not WRONG_TYPE[key](p):
            return None, None
    elif kind == "missing_id":
        how = rng.randrange(3)
        if how == 0 and not csv:
            p.pop(spec.id_field, None)
        else:
            p[spec.id_field] = "" if csv or how == 1 else None
    if csv:
        if kind == "csv_field_count":
            cells = [_q(p.get(c) or "") for c in columns]
            i = columns.index("MailingCity") if "MailingCity" in columns else 1
            # a cell written without quotes around its comma: one field too many
            cells[i] = (
                (p.get(columns[i]) or "Springfield").replace('"', "")
                + ", "
                + (p.get("MailingState") or "IL")
            )
            return None, (",".join(cells) + "\r\n").encode()
        if kind == "non_utf8":
            name = "LastName" if "LastName" in columns else "Name"
            p[name] = (p.get(name) or "") + "é"
            return None, _encode_cp1252(to_csv(p, columns))
        if kind in ("wrong_type", "missing_id"):
            return None, to_csv(p, columns).encode()
        return None, None
    text = to_json(p)
    if kind == "truncated_json":
        cut = max(2, int(len(text) * rng.uniform(0.3, 0.9)))
        return None, (text[:cut] + "\n").encode()
    if kind == "invalid_json":
        how = rng.randrange(5)
        if how < len(_GARBAGE):
            bad = _GARBAGE[how]
        elif how == 3:
            bad = "[" + text + "]"
        else:
            bad = text + text
        return None, (bad + "\n").encode()
    if kind == "non_utf8":
        i = text.find('":"')
        text = text[: i + 3] + "é" + text[i + 3 :] if i >= 0 else text + "é"
        return None, _encode_cp1252(text + "\n")
    return None, (text + "\n").encode()


# Planted once per (chunk, file) at most rather than per line: check_contract.py reads every
# line for UTF-8 (other checks only sample), so a per-line rate would outgrow its tolerance in
# files of millions of lines.
PER_CHUNK_FILE = ("non_utf8",)


class Planter:
    """Decides which lines of one (chunk, file) get defects: geometric gaps at the summed rate
    of the per-line kinds, plus at most one line of each per-chunk-file kind."""

    def __init__(
        self, spec: EntitySpec, rates: dict[str, float], rng: random.Random, lines: int
    ) -> None:
        self.spec = spec
        self.rng = rng
        kinds = applicable(spec)
        self.once = {
            k: rng.randrange(max(1, lines))
            for k in PER_CHUNK_FILE
            if rng.random() < rates[k] and k in kinds
        }
        self.kinds = tuple(k for k in kinds if rates[k] > 0 and k not in PER_CHUNK_FILE)
        self.weights = tuple(rates[k] for k in self.kinds)
        self.total = sum(self.weights)
        self.next = self._gap(-1)

    def _gap(self, after: int) -> int:
        if self.total <= 0:
            return 1 << 62
        u = 1.0 - self.rng.random()
        return after + 1 + int(math.log(u) / math.log1p(-min(self.total, 0.999)))

    def pick(self, line: int) -> str | None:
        """The defect kind for the file's `line`-th line of the chunk (0-based), or None."""
        once = next((k for k, at in self.once.items() if at == line), None)
        if line != self.next:
            return once
        self.next = self._gap(line)
        return once or self.rng.choices(self.kinds, self.weights)[0]
