"""Incremental dbt models changed since their rows were built: the step says so and rebuilds."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from dagster_project.transform import incremental_state
from dagster_project.transform.project import customer_truth_project, ensure_manifest


def _manifest() -> dict[str, Any]:
    return {
        "nodes": {
            "model.p.stg_orders": {
                "name": "stg_orders",
                "resource_type": "model",
                "config": {"materialized": "incremental"},
                "unrendered_config": {"materialized": "incremental", "unique_key": "order_id"},
                "raw_code": "select * from {{ source('raw', 'orders') }} {{ new_rows() }}",
                "depends_on": {"macros": ["macro.p.new_rows"]},
            },
            "model.p.suppression_state": {
                "name": "suppression_state",
                "resource_type": "model",
                "config": {"materialized": "incremental", "full_refresh": False},
                "raw_code": "select 1",
                "depends_on": {"macros": []},
            },
            "model.p.dim_customers": {
                "name": "dim_customers",
                "resource_type": "model",
                "config": {"materialized": "table"},
                "raw_code": "select 1",
                "depends_on": {"macros": []},
            },
        },
        "macros": {
            "macro.p.new_rows": {
                "macro_sql": "{% macro new_rows() %}{{ watermark() }}{% endmacro %}",
                "depends_on": {"macros": ["macro.p.watermark"]},
            },
            "macro.p.watermark": {
                "macro_sql": "{% macro watermark() %}where loaded_at >= x{% endmacro %}",
                "depends_on": {"macros": []},
            },
        },
    }


def test_only_incremental_models_that_a_rebuild_may_touch_are_fingerprinted() -> None:
    assert set(incremental_state.fingerprints(_manifest())) == {"stg_orders"}


def test_a_change_of_the_sql_the_config_or_a_macro_called_indirectly_changes_the_fingerprint() -> (
    None
):
    before = incremental_state.fingerprints(_manifest())["stg_orders"]
    changes = [
        ("nodes", "model.p.stg_orders", "raw_code", "select 1 as changed"),
        ("nodes", "model.p.stg_orders", "unrendered_config", {"unique_key": "order_name"}),
        ("macros", "macro.p.watermark", "macro_sql", "{% macro watermark() %}1{% endmacro %}"),
    ]
    for section, node, field, value in changes:
        manifest = copy.deepcopy(_manifest())
        manifest[section][node][field] = value
        assert incremental_state.fingerprints(manifest)["stg_orders"] != before, field
    # and nothing else does: the same project, parsed again, keeps it
    assert incremental_state.fingerprints(copy.deepcopy(_manifest()))["stg_orders"] == before


def test_a_change_of_the_projects_incremental_strategy_a_model_names_changes_its_fingerprint() -> (
    None
):
    """The materialization calls the strategy macro, so the model's SQL does not name it."""
    manifest = _manifest()
    child = manifest["nodes"]["model.p.stg_orders"]
    child["package_name"] = "p"
    child["config"]["incremental_strategy"] = "replace_parents"
    manifest["macros"]["macro.p.get_incremental_replace_parents_sql"] = {
        "macro_sql": "delete ... {{ watermark() }}; insert ...",
        "depends_on": {"macros": ["macro.p.watermark"]},
    }
    before = incremental_state.fingerprints(manifest)["stg_orders"]
    for macro_id in ("macro.p.get_incremental_replace_parents_sql", "macro.p.watermark"):
        changed = copy.deepcopy(manifest)
        changed["macros"][macro_id]["macro_sql"] = "{% macro x() %}changed{% endmacro %}"
        assert incremental_state.fingerprints(changed)["stg_orders"] != before, macro_id


def test_a_change_of_a_seed_the_model_reads_changes_its_fingerprint() -> None:
    """A registry seed (the golden candidates' source authority) decides rows as its SQL does."""
    manifest = _manifest()
    manifest["nodes"]["seed.p.source_authority"] = {
        "name": "source_authority",
        "resource_type": "seed",
        "config": {},
        "checksum": {"name": "sha256", "checksum": "aaa"},
    }
    manifest["nodes"]["model.p.stg_orders"]["depends_on"]["nodes"] = ["seed.p.source_authority"]
    before = incremental_state.fingerprints(manifest)["stg_orders"]
    changed = copy.deepcopy(manifest)
    changed["nodes"]["seed.p.source_authority"]["checksum"]["checksum"] = "bbb"
    assert incremental_state.fingerprints(changed)["stg_orders"] != before
    assert incremental_state.fingerprints(copy.deepcopy(manifest))["stg_orders"] == before


def test_a_change_of_a_table_model_upstream_changes_the_fingerprint_up_to_an_incremental_one() -> (
    None
):
    """A table the incremental model reads is rebuilt by every run under its current rule: the
    incremental model's kept rows follow the old one. Upstream of another incremental model,
    that model's own fingerprint answers."""
    manifest = _manifest()
    nodes = manifest["nodes"]
    nodes["model.p.contact_points"] = {
        "name": "contact_points",
        "resource_type": "model",
        "config": {"materialized": "table"},
        "raw_code": "select * from {{ ref('linked') }}",
        "depends_on": {"macros": [], "nodes": ["model.p.linked"]},
    }
    nodes["model.p.linked"] = {
        "name": "linked",
        "resource_type": "model",
        "config": {"materialized": "table"},
        "raw_code": "select * from {{ ref('suppression_state') }}",
        "depends_on": {"macros": [], "nodes": ["model.p.suppression_state"]},
    }
    nodes["model.p.stg_orders"]["depends_on"]["nodes"] = ["model.p.contact_points"]
    before = incremental_state.fingerprints(manifest)["stg_orders"]
    for node_id in ("model.p.contact_points", "model.p.linked"):
        changed = copy.deepcopy(manifest)
        changed["nodes"][node_id]["raw_code"] += " where true"
        assert incremental_state.fingerprints(changed)["stg_orders"] != before, node_id
    # the walk stops at an incremental model: its rows are its own fingerprint's business
    changed = copy.deepcopy(manifest)
    changed["nodes"]["model.p.suppression_state"]["raw_code"] = "select 2"
    assert incremental_state.fingerprints(changed)["stg_orders"] == before


def test_a_step_building_a_changed_model_is_told_and_a_new_model_is_not(tmp_path: Path) -> None:
    current = incremental_state.fingerprints(_manifest())
    # a home that never recorded the model (new model, older home): nothing to rebuild
    assert incremental_state.changed_since_built(current, {}, ["stg_orders"]) == []
    incremental_state.record(tmp_path, current, ["stg_orders", "dim_customers"])
    held = incremental_state.recorded(tmp_path)
    assert held == {"stg_orders": current["stg_orders"]}
    assert incremental_state.changed_since_built(current, held, ["stg_orders"]) == []
    changed = copy.deepcopy(_manifest())
    changed["macros"]["macro.p.watermark"]["macro_sql"] = "changed"
    now = incremental_state.fingerprints(changed)
    assert incremental_state.changed_since_built(now, held, ["stg_orders"]) == ["stg_orders"]
    # a step that does not build it is not made a full refresh by it
    assert incremental_state.changed_since_built(now, held, ["dim_customers"]) == []


def test_the_projects_incremental_staging_is_fingerprinted_and_the_erasure_state_is_not() -> None:
    ensure_manifest(customer_truth_project)
    manifest = json.loads(Path(customer_truth_project.manifest_path).read_text())
    found = incremental_state.fingerprints(manifest)
    assert {
        "stg_digital__events",
        "stg_commerce__orders",
        "int_identity__phone_readings",
        "int_customer_attribute_candidates",
        "int_customer_attributes_survived",
        "int_customer_golden_record_states",
    } <= set(found)
    assert "erasure_suppressed_identifiers" not in found
