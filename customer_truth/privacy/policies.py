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


@lru_cache(maxsize=8)
def _consumers(path: Path) -> dict[str, dict[str, Any]]:
    consumers = _read(path).get("consumers")
    if not isinstance(consumers, dict) or not consumers:
        raise PolicyError(f"{path}: `consumers` must map consumer names to policies")
    for name, policy in consumers.items():
        tables = policy.get("tables") if isinstance(policy, dict) else None
        if not isinstance(tables, dict):
            raise PolicyError(f"{path}: consumer {name} needs `tables`")
        for table, spec in tables.items():
            masks = dict((spec or {}).get("columns") or {})
            masks.update((spec or {}).get("fields") or {})
            masks.update(policy.get("identifiers") or {})
            bad = {k: v for k, v in masks.items() if v not in MASKS}
            if bad:
                raise PolicyError(f"{path}: {name}.{table}: unknown masks {bad} (use {MASKS})")
    return consumers


def consumer_policy(name: str) -> dict[str, Any]:
    consumers = _consumers(policies_dir() / "consumers.yml")
    if name not in consumers:
        raise PolicyError(f"no consumer policy {name!r}; known: {', '.join(sorted(consumers))}")
    return consumers[name]
