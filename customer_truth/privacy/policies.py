"""The policy files at the repository top (`policies/`), read and checked.

- `guardrails.yml`: the parameters of the deterministic guardrails of customer_context;
- `consumers.yml`: per AI or human consumer, the published tables and columns it may read and
  how values are masked.

`CUSTOMER_TRUTH_POLICIES` points at another folder (tests, a deployment's own rules).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs installed

from customer_truth.settings import REPO_ROOT

MASKS = ("clear", "partial", "hash", "drop")


class PolicyError(ValueError):
    """A policy file is missing, malformed, or names something that does not exist."""


def policies_dir() -> Path:
    return Path(os.environ.get("CUSTOMER_TRUTH_POLICIES") or REPO_ROOT / "policies")


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise PolicyError(f"policy file not found: {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: expected a mapping at the top")
    return data


@lru_cache(maxsize=8)
def _guardrails(path: Path) -> dict[str, dict[str, Any]]:
    rules = _read(path).get("rules")
    if not isinstance(rules, dict) or not rules:
        raise PolicyError(f"{path}: `rules` must map rule ids to rules")
    for rule_id, rule in rules.items():
        if not isinstance(rule, dict) or not isinstance(rule.get("parameters", {}), dict):
            raise PolicyError(f"{path}: rule {rule_id} needs a mapping of parameters")
    return rules


def guardrail_rules() -> dict[str, dict[str, Any]]:
    return _guardrails(policies_dir() / "guardrails.yml")


def guardrail_parameter(rule_id: str, parameter: str) -> Any:
    """One parameter of one rule; a missing rule or parameter is an error, never a default."""
    rules = guardrail_rules()
    if rule_id not in rules:
        raise PolicyError(f"guardrails.yml has no rule {rule_id!r}")
    parameters = rules[rule_id].get("parameters") or {}
    if parameter not in parameters:
        raise PolicyError(f"guardrails.yml rule {rule_id!r} has no parameter {parameter!r}")
    return parameters[parameter]


# The top-level sections of customer_context.context (dbt_project/models/publish/
# customer_context.sql builds them); a consumer's `fields` must start with one of these.
CONTEXT_SECTIONS = (
    "customer_id",
    "as_of",
    "identity",
    "profile",
    "consent",
    "open_work",
    "recent_interactions",
    "signals",
    "guardrails",
    "freshness",
)


def _mask_map(path: Path, where: str, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError(f"{path}: {where} must map names to masks")
    bad = {k: v for k, v in value.items() if v not in MASKS}
    if bad:
        raise PolicyError(f"{path}: {where}: unknown masks {bad} (use {MASKS})")
    return {str(k): str(v) for k, v in value.items()}


@lru_cache(maxsize=8)
def _consumers(path: Path) -> dict[str, dict[str, Any]]:
    """Every consumer policy, checked: masks, table names (the publication registry) and
    context field roots. Column names are checked against a release's schema by the retrieval
    API (``customer_truth.retrieval.policy``), which knows which release it reads."""
    from customer_truth.publication.registry import published_table

    consumers = _read(path).get("consumers")
    if not isinstance(consumers, dict) or not consumers:
        raise PolicyError(f"{path}: `consumers` must map consumer names to policies")
    for name, policy in consumers.items():
        tables = policy.get("tables") if isinstance(policy, dict) else None
        if not isinstance(tables, dict):
            raise PolicyError(f"{path}: consumer {name} needs `tables`")
        _mask_map(path, f"{name}.identifiers", policy.get("identifiers"))
        for table, spec in tables.items():
            try:
                published_table(table)
            except KeyError as error:
                raise PolicyError(f"{path}: {name}: {error.args[0]}") from None
            if not isinstance(spec, dict) or not spec.get("columns"):
                raise PolicyError(f"{path}: {name}.{table} needs `columns`")
            unknown_keys = set(spec) - {"columns", "fields"}
            if unknown_keys:
                raise PolicyError(f"{path}: {name}.{table}: unknown keys {sorted(unknown_keys)}")
            _mask_map(path, f"{name}.{table}.columns", spec["columns"])
            fields = _mask_map(path, f"{name}.{table}.fields", spec.get("fields"))
            if fields and table != "customer_context":
                raise PolicyError(f"{path}: {name}.{table}: `fields` apply to customer_context")
            roots = {f.split(".", 1)[0] for f in fields} - set(CONTEXT_SECTIONS)
            if roots:
                raise PolicyError(
                    f"{path}: {name}.customer_context: unknown context fields {sorted(roots)} "
                    f"(sections: {', '.join(CONTEXT_SECTIONS)})"
                )
    return consumers


def consumer_policy(name: str) -> dict[str, Any]:
    consumers = _consumers(policies_dir() / "consumers.yml")
    if name not in consumers:
        raise PolicyError(f"no consumer policy {name!r}; known: {', '.join(sorted(consumers))}")
    return consumers[name]
