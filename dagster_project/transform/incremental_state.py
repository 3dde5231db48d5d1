"""Which incremental dbt models changed since the rows they hold were built.

An incremental model keeps what earlier runs wrote. When its SQL, its configuration or a macro it
calls changes, those rows still follow the old rule until the model is rebuilt from all history.
So every successful dbt step records a fingerprint of each incremental model it built, in
``$CUSTOMER_TRUTH_HOME/dbt_incremental_models.json``. The next step that builds a model whose
fingerprint differs runs with ``--full-refresh`` and says which models made it.

Models configured ``full_refresh: false`` (the erasure suppression state) are never rebuilt and
are not fingerprinted. A seed a model reads is part of its rule (the golden candidates rank by
the ``source_authority`` registry): its content is in the fingerprint. Rules that live in Python
(standardisation) are versioned by the models that memoise them (``standardisation_version()``).
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


def _seed_checksums(manifest: Mapping[str, Any], node: Mapping[str, Any]) -> list[str]:
    """The content checksum of each seed the model reads, in the order of their ids."""
    seeds = sorted(n for n in node.get("depends_on", {}).get("nodes", []) if n.startswith("seed."))
    return [f"{n}:{manifest['nodes'][n]['checksum']['checksum']}" for n in seeds]


def fingerprints(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Model name -> sha-256 of what decides its rows: its SQL, its configuration, the text of
    every macro it calls (directly or not) or names as its incremental strategy, and the content
    of every seed it reads, for each incremental model dbt may rebuild."""
    found: dict[str, str] = {}
    for node in manifest["nodes"].values():
        config = node.get("config", {})
        if node["resource_type"] != "model" or config.get("materialized") != "incremental":
            continue
        if config.get("full_refresh") is False:
            continue
        digest = hashlib.sha256(node["raw_code"].encode())
        digest.update(json.dumps(node.get("unrendered_config", {}), sort_keys=True).encode())
        roots = [*node.get("depends_on", {}).get("macros", []), *_strategy_macro(manifest, node)]
        for macro_id in _macro_closure(manifest, roots):
            digest.update(macro_id.encode())
            digest.update(manifest["macros"][macro_id]["macro_sql"].encode())
        for seed in _seed_checksums(manifest, node):
            digest.update(seed.encode())
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
