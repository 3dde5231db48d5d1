"""A consumer's policy (``policies/consumers.yml``) applied to what one response holds.

Three passes, each deny-by-default:
1. rows (``customer_profile``, the candidates): a column is kept only when the table's
   ``columns`` name it (exactly or by pattern), masked as named;
2. the context JSON: a field is kept only when ``fields`` name it or an ancestor; the more
   specific path wins. A mask on a golden attribute (``profile.email``: ``{value, source_system,
   source_record_id, observed_at}``) masks its value and keeps its provenance. The text brief
   keeps only the lines whose sources are all readable;
3. every string of the response: each identifier of the customers involved (from
   ``identifier_lookup``) and each golden attribute value is replaced wherever it still appears in
   clear (in the brief, in provenance record ids, in a summary), under the strictest mask any
   rule gives it. This pass is what makes "a restricted consumer never receives an unmasked
   identifier" hold whatever the earlier passes missed.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from customer_truth.privacy.policies import PolicyError, consumer_policy, policies_dir
from customer_truth.privacy.pseudonyms import PseudonymKey
from customer_truth.publication.registry import published_table
from customer_truth.retrieval.masking import WITHHELD, kind_of, mask_value, strictest

# golden attributes: the customer_profile columns and the context's profile.<attribute> fields
ATTRIBUTES = (
    "given_name",
    "family_name",
    "email",
    "phone",
    "birth_date",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
)

# the lines of customer_context.context_text (customer_context.sql), by their label, and the
# context fields each renders; the first line (customer id, name, as-of) has no label and is
# always kept, its name masked by pass 3
_BRIEF_LINES: dict[str, tuple[str, ...]] = {
    "Identity:": ("identity",),
    "Contact:": ("profile.email", "profile.phone", "profile.city", "profile.country"),
    "Consent:": ("consent",),
    "Open work:": (
        "open_work.open_tickets",
        "open_work.unresolved_contacts",
        "open_work.orders_in_flight",
        "open_work.open_invoices",
    ),
    "Recent interactions:": ("recent_interactions",),
    "Active signals:": ("signals",),
    "Guardrails:": ("guardrails",),
    "Freshness:": ("freshness",),
}
# on the Contact line every rendered value is a golden attribute, masked by value in pass 3
_VALUE_MASKED_LINES = frozenset({"Contact:"})
_MIN_SUBSTITUTED = 2  # a one-character value would mask every letter of the brief


class AccessDenied(PermissionError):
    """The consumer's policy does not let it read what was asked."""


@dataclass(frozen=True)
class TableRule:
    table: str
    columns: dict[str, str]
    fields: dict[str, str]
    # column -> mask, filled on first use (patterns make the answer cost a scan of the rules)
    _resolved: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def column_mask(self, column: str) -> str | None:
        """The column's mask; None when the policy does not name it (not readable)."""
        if column in self._resolved:
            return self._resolved[column]
        mask = self.columns.get(column)
        if mask is None:
            mask = next(
                (
                    m
                    for pattern, m in self.columns.items()
                    if any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(column, pattern)
                ),
                None,
            )
        self._resolved[column] = mask
        return mask

    def unknown_columns(self, present: Iterable[str]) -> list[str]:
        """Column names and patterns of the rule that match no column in ``present``."""
        names = list(present)
        return [
            name
            for name in self.columns
            if not any(fnmatch.fnmatchcase(column, name) for column in names)
        ]

    def apply_row(self, row: dict[str, Any], key: PseudonymKey) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for column, value in row.items():
            mask = self.column_mask(column)
            if mask is None or mask == "drop":
                continue
            kept[column] = mask_value(value, mask, kind_of(column), key)
        return kept

    # --- context fields ------------------------------------------------------------------

    def field_mask(self, path: str) -> str | None:
        """The mask of the nearest named ancestor-or-self of ``path``; None when none is named."""
        parts = path.split(".")
        for end in range(len(parts), 0, -1):
            mask = self.fields.get(".".join(parts[:end]))
            if mask is not None:
                return mask
        return None

    def _named_below(self, path: str) -> bool:
        return any(name.startswith(path + ".") for name in self.fields)

    def apply_context(self, node: Any, key: PseudonymKey, path: str = "") -> Any:
        """The context (parsed JSON) with unnamed fields removed and named ones masked."""
        if isinstance(node, dict):
            kept: dict[str, Any] = {}
            for name, value in node.items():
                child = f"{path}.{name}" if path else name
                mask = self.field_mask(child)
                if self._named_below(child):
                    # a rule deeper down decides per child; this level's mask applies to the rest
                    kept[name] = self._masked_under(value, child, mask, key)
                elif mask is not None and mask != "drop":
                    kept[name] = self._masked(value, child, mask, key)
            return kept
        if isinstance(node, list):
            return [self.apply_context(item, key, path) for item in node]
        return node

    def _masked_under(self, node: Any, path: str, inherited: str | None, key: PseudonymKey) -> Any:
        if isinstance(node, dict):
            return self.apply_context(node, key, path)
        if isinstance(node, list):
            return [self._masked_under(item, path, inherited, key) for item in node]
        if inherited in (None, "drop"):
            return None
        return self._masked(node, path, inherited, key)

    def _masked(self, node: Any, path: str, mask: str | None, key: PseudonymKey) -> Any:
        if mask is None or mask == "clear":
            return node
        if isinstance(node, dict):
            if "value" in node and path.startswith("profile."):
                # a golden attribute: mask the value, keep where it came from
                return {**node, "value": mask_value(node["value"], mask, kind_of(path), key)}
            return {name: self._masked(value, path, mask, key) for name, value in node.items()}
        if isinstance(node, list):
            return [self._masked(item, path, mask, key) for item in node]
        if isinstance(node, str):
            return mask_value(node, mask, kind_of(path), key)
        return node if mask == "partial" else mask_value(node, mask, kind_of(path), key)

    def field_readable(self, path: str, *, clear_only: bool) -> bool:
        mask = self.field_mask(path)
        if mask is None or mask == "drop":
            return False
        if not clear_only:
            return True
        below = (m for name, m in self.fields.items() if name.startswith(path + "."))
        return mask == "clear" and all(m == "clear" for m in below)

    def apply_brief(self, text: str) -> str:
        """The brief without the lines that render a field the consumer may not read."""
        kept = []
        for line in text.split("\n"):
            label = next((label for label in _BRIEF_LINES if line.startswith(label)), None)
            if label is None:
                kept.append(line)
                continue
            sources = _BRIEF_LINES[label]
            if label in _VALUE_MASKED_LINES:
                allowed = any(self.field_readable(s, clear_only=False) for s in sources)
            else:
                allowed = all(self.field_readable(s, clear_only=True) for s in sources)
            if allowed:
                kept.append(line)
        return "\n".join(kept)


@dataclass(frozen=True)
class ConsumerPolicy:
    name: str
    identifiers: dict[str, str]
    tables: dict[str, TableRule]

    @classmethod
    def load(cls, name: str) -> ConsumerPolicy:
        """The named policy; an unknown consumer is a ``PolicyError`` naming the known ones."""
        return _load_policy(policies_dir() / "consumers.yml", name)

    @classmethod
    def from_mapping(cls, name: str) -> ConsumerPolicy:
        policy = consumer_policy(name)
        tables = {
            published_table(key).key: TableRule(
                published_table(key).key,
                dict(spec.get("columns") or {}),
                dict(spec.get("fields") or {}),
            )
            for key, spec in policy["tables"].items()
        }
        return cls(name, dict(policy.get("identifiers") or {}), tables)

    def table(self, key: str) -> TableRule:
        rule = self.tables.get(published_table(key).key)
        if rule is None:
            raise AccessDenied(f"consumer {self.name!r} may not read {key!r}")
        return rule

    def identifier_mask(self, identifier_type: str) -> str:
        """How the value of an identifier type is masked anywhere; an unnamed type is dropped."""
        return self.identifiers.get(identifier_type, "drop")

    def check_columns(self, table: str, present: Iterable[str]) -> None:
        rule = self.tables.get(published_table(table).key)
        if rule is None:
            return
        unknown = rule.unknown_columns(present)
        if unknown:
            raise PolicyError(
                f"consumers.yml: {self.name}.{rule.table} names columns the published table "
                f"does not have: {unknown}"
            )

    def substitutions(
        self,
        identifiers: Iterable[tuple[str, str]],
        profiles: Iterable[dict[str, Any]],
        key: PseudonymKey,
    ) -> dict[str, str]:
        """Clear value -> what replaces it in every string (pass 3), strictest rule wins."""
        masks: dict[str, tuple[str, str]] = {}  # value -> (mask, kind)

        def add(value: Any, mask: str, kind: str) -> None:
            if not isinstance(value, str) or len(value) < _MIN_SUBSTITUTED:
                return
            if value in masks:
                mask = strictest(mask, masks[value][0])
            masks[value] = (mask, kind)

        for identifier_type, value in identifiers:
            add(value, self.identifier_mask(identifier_type), kind_of(identifier_type))
        profile_rule = self.tables.get("customer_profile")
        context_rule = self.tables.get("customer_context")
        for profile in profiles:
            for attribute in ATTRIBUTES:
                stated = profile.get(attribute)
                if stated is None:
                    continue
                column = profile_rule.column_mask(attribute) if profile_rule else None
                path = f"profile.{attribute}"
                in_context = context_rule.field_mask(path) if context_rule else None
                mask = strictest(column or "drop", in_context or "drop")
                add(str(stated), mask, kind_of(attribute))
        return {
            value: mask_value(value, mask, kind, key)
            for value, (mask, kind) in masks.items()
            if mask != "clear"
        }


@lru_cache(maxsize=32)
def _load_policy(path: Path, name: str) -> ConsumerPolicy:
    """Parsed once per policy file and consumer (the file is read once per process anyway)."""
    return ConsumerPolicy.from_mapping(name)


def substitute(node: Any, replacements: dict[str, str]) -> Any:
    """``node`` (JSON-like) with every clear value of ``replacements`` replaced in every string
    (keys included), longest value first, not inside a longer word or number."""
    if not replacements:
        return node
    ordered = sorted(replacements, key=len, reverse=True)
    lowered = {value.lower(): replacement for value, replacement in replacements.items()}
    finder = [(value.lower(), lowered[value.lower()]) for value in ordered]
    pattern: re.Pattern[str] | None = None

    def by_regex(text: str) -> str:
        nonlocal pattern
        if pattern is None:  # compiled only when a string needs it (it costs ~1 ms)
            pattern = re.compile(
                r"(?<![A-Za-z0-9])(?:"
                + "|".join(re.escape(v) for v in ordered)
                + r")(?![A-Za-z0-9])",
                re.IGNORECASE,
            )
        return pattern.sub(lambda m: lowered.get(m.group(0).lower(), WITHHELD), text)

    def replace(text: str) -> str:
        # the same rule as by_regex, found with str.find (no pattern to compile per response);
        # any case the two could read differently (overlapping values, a lower-casing that
        # changes the length) goes to the regex
        folded = text.lower()
        if len(folded) != len(text):
            return by_regex(text)
        spans: list[tuple[int, int, str]] = []
        for value, replacement in finder:
            start = folded.find(value)
            while start != -1:
                end = start + len(value)
                before_ok = start == 0 or not _ALNUM(folded[start - 1])
                after_ok = end == len(folded) or not _ALNUM(folded[end])
                if before_ok and after_ok:
                    if any(start < e and s < end for s, e, _ in spans):
                        return by_regex(text)
                    spans.append((start, end, replacement))
                start = folded.find(value, start + 1)
        if not spans:
            return text
        out, at = [], 0
        for start, end, replacement in sorted(spans):
            out += [text[at:start], replacement]
            at = end
        return "".join(out) + text[at:]

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return replace(value)
        if isinstance(value, dict):
            return {replace(k) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return walk(node)


def _ALNUM(char: str) -> bool:  # noqa: N802 - the regex's [A-Za-z0-9], as a predicate
    return ("a" <= char <= "z") or ("A" <= char <= "Z") or ("0" <= char <= "9")
