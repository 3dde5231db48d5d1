"""Which incremental dbt models changed since the rows they hold were built.

An incremental model keeps what earlier runs wrote. When its SQL, its configuration or a macro it
calls changes, those rows still follow the old rule until the model is rebuilt from all history.
So every successful dbt step records a fingerprint of each incremental model it built, in
``$CUSTOMER_TRUTH_HOME/dbt_incremental_models.json``. The next step that builds a model whose
fingerprint differs runs with ``--full-refresh`` and says which models made it.

Models configured ``full_refresh: false`` (the erasure suppression state) are never rebuilt and
are not fingerprinted. The rules upstream of a model that are rebuilt on every run are part of
its rule too (the golden candidates rank by the ``source_authority`` seed and read the sharing
of ``int_customer_contact_points``, a table): a seed's content and a table or view model's SQL,
configuration and macros are in the fingerprint, up to the nearest incremental model. Rules that
live in Python (standardisation) are versioned by the models that memoise them
(``standardisation_version()``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

STATE_FILE = "dbt_incremental_models.json"


def _macro_closure(manifest: Mapping[str, Any], roots: Iterable[str]) -> list[str]:
    """Every macro reached from ``roots`` through the macros they call, sorted."""
    macros = manifest["macros"]
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        macro_id = pending.pop()
        if macro_id in seen or macro_id not in macros:
            continue
        seen.add(macro_id)
        pending.extend(macros[macro_id].get("depends_on", {}).get("macros", []))
    return sorted(seen)


def _strategy_macro(manifest: Mapping[str, Any], node: Mapping[str, Any]) -> list[str]:
    """The project's own incremental strategy macro a model names, if any: the materialization
    calls it, so it is not among the macros the model's SQL calls."""
    strategy = node.get("config", {}).get("incremental_strategy")
    macro_id = f"macro.{node.get('package_name')}.get_incremental_{strategy}_sql"
    return [macro_id] if strategy and macro_id in manifest["macros"] else []


def _upstream_rules(manifest: Mapping[str, Any], node: Mapping[str, Any]) -> list[str]:
    """What decides the rows a model reads, upstream of it, sorted by node id: the content of
    every seed, and the SQL, configuration and macros of every model rebuilt whole on each run
    (table, view), up to the nearest incremental models (their own fingerprints) and sources.
    An incremental model keeps rows built from what those rules gave then."""
    nodes = manifest["nodes"]
    parts: dict[str, str] = {}
    pending = list(node.get("depends_on", {}).get("nodes", []))
    while pending:
        node_id = pending.pop()
        upstream = nodes.get(node_id)
        if node_id in parts or upstream is None:
            continue
        if upstream["resource_type"] == "seed":
            parts[node_id] = upstream["checksum"]["checksum"]
        elif upstream["resource_type"] == "model" and (
            upstream.get("config", {}).get("materialized") != "incremental"
        ):
            parts[node_id] = _rule_digest(manifest, upstream)
            pending.extend(upstream.get("depends_on", {}).get("nodes", []))
    return [f"{node_id}:{parts[node_id]}" for node_id in sorted(parts)]


def _rule_digest(manifest: Mapping[str, Any], node: Mapping[str, Any]) -> str:
    """sha-256 of a model's own rule: its SQL, configuration and every macro it reaches."""
    digest = hashlib.sha256(node["raw_code"].encode())
    digest.update(json.dumps(node.get("unrendered_config", {}), sort_keys=True).encode())
    roots = [*node.get("depends_on", {}).get("macros", []), *_strategy_macro(manifest, node)]
    for macro_id in _macro_closure(manifest, roots):
        digest.update(macro_id.encode())
        digest.update(manifest["macros"][macro_id]["macro_sql"].encode())
    return digest.hexdigest()


def fingerprints(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Model name -> sha-256 of what decides its rows: its SQL, its configuration, the text of
    every macro it calls (directly or not) or names as its incremental strategy, and the rules
    upstream of it that are rebuilt on every run (``_upstream_rules``: seeds, table and view
    models), for each incremental model dbt may rebuild."""
    found: dict[str, str] = {}
    for node in manifest["nodes"].values():
        config = node.get("config", {})
        if node["resource_type"] != "model" or config.get("materialized") != "incremental":
            continue
        if config.get("full_refresh") is False:
            continue
        digest = hashlib.sha256(_rule_digest(manifest, node).encode())
        for rule in _upstream_rules(manifest, node):
            digest.update(rule.encode())
        found[node["name"]] = digest.hexdigest()
    return found


def recorded(home: Path) -> dict[str, str]:
    path = Path(home) / STATE_FILE
    if not path.is_file():
        return {}
    loaded = json.loads(path.read_text())
    return {str(k): str(v) for k, v in loaded.items()}


def changed_since_built(current: Mapping[str, str], held: Mapping[str, str],
                        building: Iterable[str]) -> list[str]:  # fmt: skip
    """The models about to be built whose rows were built by another version of them. A model
    with no record (new, or first built before records were kept) is not called changed."""
    return sorted(m for m in building if m in held and m in current and held[m] != current[m])


def record(home: Path, current: Mapping[str, str], built: Iterable[str]) -> None:
    """Remember the fingerprint of each model a successful step built."""
    state = recorded(home)
    state.update({m: current[m] for m in built if m in current})
    path = Path(home) / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{STATE_FILE}.tmp")
    temporary.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(temporary, path)
