"""The Dagster definitions load with the expected assets, checks, job, schedule and sensor."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import pytest

from customer_truth.contracts import CONTRACTS, SYSTEMS
from customer_truth.settings import load_settings
from dagster_project.definitions import defs


def _repository() -> dg.RepositoryDefinition:
    return defs.get_repository_def()


def test_every_source_entity_has_a_raw_asset_in_its_system_group() -> None:
    graph = _repository().asset_graph
    for contract in CONTRACTS:
        key = dg.AssetKey(["raw", contract.table])
        assert graph.has(key), key
        assert graph.get(key).group_name == contract.system
    assert {graph.get(dg.AssetKey(["raw", c.table])).group_name for c in CONTRACTS} == set(SYSTEMS)


def test_every_raw_asset_has_a_reconciliation_check() -> None:
    check_keys = _repository().asset_graph.asset_check_keys
    for contract in CONTRACTS:
        assert (
            dg.AssetCheckKey(dg.AssetKey(["raw", contract.table]), "landing_reconciles")
            in check_keys
        )


def test_every_raw_asset_has_a_landing_consistency_check() -> None:
    check_keys = _repository().asset_graph.asset_check_keys
    for contract in CONTRACTS:
        key = dg.AssetCheckKey(dg.AssetKey(["raw", contract.table]), "landing_consistent")
        assert key in check_keys


def test_every_source_entity_has_a_staging_model_downstream_of_its_raw_asset() -> None:
    graph = _repository().asset_graph
    for contract in CONTRACTS:
        model = dg.AssetKey(["staging", f"stg_{contract.system}__{contract.entity}"])
        assert graph.has(model), model
        assert dg.AssetKey(["raw", contract.table]) in graph.get(model).parent_keys
        assert graph.get(model).group_name == "staging"


def test_every_raw_asset_has_a_batch_timeliness_check() -> None:
    check_keys = _repository().asset_graph.asset_check_keys
    for contract in CONTRACTS:
        key = dg.AssetCheckKey(dg.AssetKey(["raw", contract.table]), "landing_timely")
        assert key in check_keys


def test_every_landing_raw_asset_has_a_source_freshness_check_and_the_agent_log_none() -> None:
    check_keys = _repository().asset_graph.asset_check_keys
    for contract in CONTRACTS:
        key = dg.AssetCheckKey(dg.AssetKey(["raw", contract.table]), "source_freshness")
        assert key in check_keys
    agent_log = dg.AssetKey(["raw", "ai_agent__interactions"])
    assert dg.AssetCheckKey(agent_log, "source_freshness") not in check_keys


def test_dbt_tests_appear_as_asset_checks_on_the_staging_models() -> None:
    checks = _repository().asset_graph.asset_check_keys
    staged = {key.asset_key for key in checks if key.asset_key.path[0] == "staging"}
    assert len(staged) >= len(CONTRACTS)


def test_the_main_job_schedule_and_landing_sensor_are_defined() -> None:
    repository = _repository()
    job = repository.get_job("customer_truth_job")
    assert job.executor_def.name == "in_process"
    schedule = repository.get_schedule_def("daily_customer_truth")
    assert schedule.job_name == "customer_truth_job"
    assert schedule.cron_schedule == "0 2 * * *"
    sensor = repository.get_sensor_def("new_landing_batches_sensor")
    assert sensor.job_name == "customer_truth_job"


def test_every_gate_suite_is_a_blocking_check_and_the_publication_waits_for_them() -> None:
    from dagster_project.publication.assets import PUBLISHED_RELEASE

    graph = _repository().asset_graph
    gates = [key for key in graph.asset_check_keys if key.name.startswith("gx_")]
    assert {key.name for key in gates} >= {
        "gx_raw__crm__contacts",
        "gx_stg_crm__contacts",
        "gx_record_customer_ids",
        "gx_dim_customer_profile",
        "gx_bdg_identity_crosswalk",
        "gx_bdg_identifier_lookup",
    }
    for key in gates:
        assert graph.get_check_spec(key).blocking, key
    publication = graph.get(PUBLISHED_RELEASE)
    assert {key.asset_key for key in gates} <= set(publication.parent_keys)
    job = _repository().get_job("customer_truth_job")
    assert PUBLISHED_RELEASE in job.asset_layer.selected_asset_keys


def test_the_dbt_project_is_parsed_once_for_every_home_and_again_for_another_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt keeps partial parsing only while its profile's values are the ones it parsed with;
    the home is not one of them (customer_truth/dbt_home.py), the memory budget is. On a copy of
    the dbt project with the checkout's parse: a parse for another budget in the checkout would
    make every other worker's next job step parse the whole project again."""
    import shutil
    from dataclasses import replace

    from dagster_dbt import DbtProject

    from customer_truth.settings import Settings
    from dagster_project.transform.project import (
        customer_truth_project,
        ensure_manifest,
        manifest_is_stale,
    )

    for variable, value in load_settings().dbt_environment().items():
        monkeypatch.setenv(variable, value)  # restored after the test
    ensure_manifest(customer_truth_project)  # the checkout's parse is the current one
    checkout = Path(customer_truth_project.project_dir)
    copy = tmp_path / "dbt_project"
    shutil.copytree(checkout, copy, ignore=shutil.ignore_patterns("target", "logs"))
    parsed = Path(customer_truth_project.manifest_path).parent
    (copy / "target").mkdir()
    for kept in ("manifest.json", "partial_parse.msgpack", "customer_truth_profile_env.json"):
        shutil.copy2(parsed / kept, copy / "target" / kept)  # their times too: not stale
    project = DbtProject(project_dir=copy, profiles_dir=copy, target_path="target")
    assert not manifest_is_stale(project)
    manifest = Path(project.manifest_path)
    stamp = manifest.parent / "customer_truth_profile_env.json"
    home_a = Settings(landing=tmp_path, home=tmp_path / "a")
    home_b = Settings(landing=tmp_path, home=tmp_path / "b")

    parsed_at = manifest.stat().st_mtime_ns
    ensure_manifest(project, home_a)
    ensure_manifest(project, home_b)
    assert manifest.stat().st_mtime_ns == parsed_at  # another home: nothing parsed
    assert os.environ["CUSTOMER_TRUTH_HOME"] == str(home_b.home)
    ensure_manifest(project, replace(home_b, memory_limit="3GB"))
    assert json.loads(stamp.read_text()) == {"CUSTOMER_TRUTH_MEMORY_LIMIT": "3GB"}
    assert manifest.stat().st_mtime_ns != parsed_at


def test_old_step_target_folders_are_swept_and_recent_ones_kept(tmp_path: Path) -> None:
    """A failed or killed dbt step leaves its target folder for the post-mortem; a later step
    deletes those older than a day, so they do not pile up run after run."""
    from datetime import UTC, datetime, timedelta

    from dagster_project.transform.assets import sweep_step_targets

    now = datetime(2026, 3, 8, tzinfo=UTC)
    old = tmp_path / "customer_truth_dbt_models_3-abc1234-def5678"
    recent = tmp_path / "customer_truth_dbt_models-0a0446a-e4fae32"
    other = tmp_path / "compiled"
    for folder, age in (
        (old, timedelta(days=2)),
        (recent, timedelta(hours=3)),
        (other, timedelta(days=9)),
    ):
        folder.mkdir()
        stamp = (now - age).timestamp()
        os.utime(folder, (stamp, stamp))
    assert sweep_step_targets(tmp_path, now=now) == [old]
    assert not old.exists() and recent.exists() and other.exists()


def test_asset_groups_are_the_flow_stages_and_no_group_feeds_an_earlier_one() -> None:
    from customer_truth.interaction_log import SOURCE as AGENT_SOURCE
    from dagster_project.transform.assets import STAGES

    graph = _repository().asset_graph
    # every source's raw group comes first (the landing systems and the AI agents' log), then
    # the stages in flow order
    sources = (*SYSTEMS, AGENT_SOURCE)
    order = {source: 0 for source in sources} | {stage: n + 1 for n, stage in enumerate(STAGES)}
    groups = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert set(groups.values()) <= set(order), set(groups.values()) - set(order)
    backwards = sorted(
        f"{parent.to_user_string()} ({groups[parent]}) -> {key.to_user_string()} ({group})"
        for key, group in groups.items()
        for parent in graph.get(key).parent_keys
        if order[groups[parent]] > order[group]
    )
    assert backwards == []
    # the stages a reader follows are all there, ending in the release
    assert set(STAGES) <= set(groups.values())
    assert groups[dg.AssetKey(["published", "release"])] == "release"
