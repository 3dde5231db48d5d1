"""dbt models and tests as Dagster assets and asset checks (``dbt build`` through dagster-dbt)."""

import json
import shutil
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from customer_truth.publication.candidate_batches import record_candidate_batches
from dagster_project.identity.assets import resolve_identity_clusters
from dagster_project.resources import WarehouseResource
from dagster_project.transform import incremental_state
from dagster_project.transform.project import customer_truth_project

# The stages of the flow, in order: every asset's group is one, and no group feeds an earlier
# one (tests/unit/test_definitions.py). Raw assets are grouped per source system before these.
STAGES = ("seeds", "staging", "identity", "golden", "journeys", "publish", "release")
# dbt folders (layer/domain) whose models belong to another stage than the folder says: the
# linked records are identity's output, the identity marts built on golden records are golden
STAGE_OF_MODEL = {
    # staging views over identity's own tables: they follow the identity steps
    "stg_identity__record_customer_ids": "identity",
    "stg_identity__customers": "identity",
    "stg_identity__customer_id_history": "identity",
    "int_customer_records_linked": "identity",
    "dim_customer_profile": "golden",
    "dim_households": "golden",
    "dim_billing_accounts": "golden",
    "bdg_customer_households": "golden",
    "bdg_customer_billing_accounts": "golden",
    "fct_customer_attribute_conflicts": "golden",
}


def stage_of(dbt_resource_props: Mapping[str, Any]) -> str:
    """The flow stage of a dbt node: by its folder (``staging/``, ``intermediate/<stage>/``,
    ``marts/<stage>/``, ``publish/``, ``snapshots/`` = golden history, seeds), else named above."""
    name = dbt_resource_props["name"]
    if name in STAGE_OF_MODEL:
        return STAGE_OF_MODEL[name]
    if dbt_resource_props["resource_type"] == "seed":
        return "seeds"
    if dbt_resource_props["resource_type"] == "snapshot":
        return "golden"
    fqn = dbt_resource_props.get("fqn", [])
    layer = fqn[1] if len(fqn) > 2 else ""
    if layer in ("intermediate", "marts") and len(fqn) > 3:
        return fqn[2]
    return layer


class CustomerTruthTranslator(DagsterDbtTranslator):
    """Asset keys mirror relations (``[schema, table]``) so that dbt sources land on the raw
    ingestion assets and models line up with the DuckDB catalogue; groups are flow stages."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        schema = dbt_resource_props["config"].get("schema") or dbt_resource_props["schema"]
        relation = dbt_resource_props.get("alias") or dbt_resource_props["name"]
        return dg.AssetKey([schema, relation])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return stage_of(dbt_resource_props)

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("seed."):
            # seeds load after ingestion, in the staging step: Dagster gives the dbt nodes that
            # need no raw table a step of their own, and that step cost every run a dbt start-up
            # (about 8 s) for a second of work
            raw: list[dg.AssetKey] = sorted(
                {
                    self.get_asset_key(source)
                    for source in manifest["sources"].values()
                    if source["schema"] == "raw"
                },
                key=lambda key: key.to_user_string(),
            )
            spec = spec.merge_attributes(deps=raw)
        return spec


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild incremental models from all history (``dbt build --full-refresh``)."""


@dbt_assets(
    manifest=customer_truth_project.manifest_path,
    project=customer_truth_project,
    dagster_dbt_translator=CustomerTruthTranslator(),
    op_tags={"warehouse": "write"},
)
def customer_truth_dbt_models(
    context: dg.AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
) -> Iterator[Any]:
    # build (not run): data tests run between models and report as asset checks. dbt's unit
    # tests check the SQL, not the data: they run in the test suite (tests/unit/test_dbt_*.py),
    # not in every production run, as dbt recommends
    args = ["build", "--exclude-resource-type", "unit_test"]
    with warehouse.hold_lock():
        home = warehouse.settings.home
        manifest = json.loads(customer_truth_project.manifest_path.read_text())
        current = incremental_state.fingerprints(manifest)
        building = _selected_models(context, manifest)
        changed = incremental_state.changed_since_built(
            current, incremental_state.recorded(home), building
        )
        if changed and not config.full_refresh:
            context.log.warning(
                "incremental model(s) changed since their rows were built, so this step is a "
                f"full refresh (rebuilt from all history): {', '.join(changed)}"
            )
        if config.full_refresh or changed:
            args.append("--full-refresh")
        invocation = dbt.cli(args, context=context)
        yield from invocation.stream()
        incremental_state.record(home, current, building)
        if any(key.path[0] == "publish" for key in context.selected_asset_keys):
            # what the publish candidates were just built from: the release's landing_batches
            with warehouse.connect() as con:
                record_candidate_batches(con, context.run.run_id)
    # each step writes its own target folder (a manifest copy, run results, a debug log): kept
    # only when the step fails, for the post-mortem, or every run would add megabytes for good
    target = Path(invocation.project_dir) / invocation.target_path
    shutil.rmtree(target, ignore_errors=True)
    sweep_step_targets(target.parent)


# how long a failed step's target folder is kept for its post-mortem
STEP_TARGET_KEPT = timedelta(days=1)
# dagster-dbt names a step's target folder after the step: customer_truth_dbt_models_2-<ids>
STEP_TARGET_PREFIX = "customer_truth_dbt_models"


def sweep_step_targets(target_root: Path, now: datetime | None = None) -> list[Path]:
    """Delete the folders earlier steps left in ``target_root`` (failed steps keep theirs; a
    killed run leaves its) once they are older than ``STEP_TARGET_KEPT``; returns them."""
    cutoff = (now or datetime.now(UTC)) - STEP_TARGET_KEPT
    swept = []
    for folder in target_root.glob(f"{STEP_TARGET_PREFIX}*"):
        modified = datetime.fromtimestamp(folder.stat().st_mtime, UTC)
        if folder.is_dir() and modified < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            swept.append(folder)
    return swept


def _selected_models(context: dg.AssetExecutionContext, manifest: Mapping[str, Any]) -> list[str]:
    """The dbt models this step builds (the job runs the dbt assets in several steps)."""
    translator = CustomerTruthTranslator()
    selected = context.selected_asset_keys
    return [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and translator.get_asset_key(node) in selected
    ]


def full_refresh_run_config(job: dg.JobDefinition) -> dict[str, Any]:
    """Run config that makes every dbt step of ``job`` a full refresh, and identity resolution
    compare every pair again. The dbt assets run as several steps (the identity assets sit
    between them), each a node of its own."""
    refreshed = {customer_truth_dbt_models.op.name, resolve_identity_clusters.op.name}
    nodes = [node.name for node in job.graph.nodes if node.definition.name in refreshed]
    return {"ops": {name: {"config": {"full_refresh": True}} for name in nodes}}
