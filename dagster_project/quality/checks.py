"""The quality gate: every Great Expectations suite of ``data_quality`` as a blocking asset check.

A failed suite stops every asset downstream of the one it checks, the publication included, and
records the block in ``publication_log`` (``customer_truth.quality.evaluate``).

Erasures take their own path past a block. The erasure models are downstream of most gated
assets, so a failed suite would skip them too: the failing check builds them itself
(``ERASURE_MODELS``, from the identity marts the warehouse holds, which are those of the current
release or newer), then the current release is purged of every person erased since the last
purge (``apply_erasures_while_blocked``). The release does not change; the erased person
disappears from what consumers read.
"""

import shutil
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from customer_truth.quality.evaluate import apply_erasures_while_blocked, evaluate_suite
from customer_truth.quality.gate import GateSuite, data_docs_index
from dagster_project.resources import WarehouseResource
from dagster_project.transform.project import customer_truth_project
from data_quality import SUITES

# the dbt models that turn erasure requests into the erased set the publisher purges by
ERASURE_MODELS = (
    "stg_privacy__erasure_requests",
    "erasure_suppressed_identifiers",
    "erased_customers",
    "erased_records",
)


def build_erasure_models(
    context: dg.AssetCheckExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> bool:
    """``dbt build`` of the erasure models alone (their upstream as the warehouse holds it);
    whether it succeeded. A failure is logged, not raised: the erased set as it stands is
    still applied."""
    # one --select value: dagster-dbt takes a single value after the flag (dbt reads the
    # space-separated models in it)
    args = ["build", "--select", " ".join(ERASURE_MODELS), "--exclude-resource-type", "unit_test"]
    with warehouse.hold_lock():
        invocation = dbt.cli(
            args, manifest=customer_truth_project.manifest_path, raise_on_error=False
        ).wait()
    ok = invocation.is_successful()
    if ok:
        shutil.rmtree(Path(invocation.project_dir) / invocation.target_path, ignore_errors=True)
    else:
        context.log.error(
            f"the erasure models did not build while the gate blocked (kept for the post-mortem:"
            f" {invocation.target_path}); the erased set as it stands is applied"
        )
    return ok


def _gate_check(suite: GateSuite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key)),
        name=f"gx_{suite.name}",
        blocking=True,
        description=f"Great Expectations suite {suite.name}: {suite.description}",
    )
    def gate(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, dbt: DbtCliResource
    ) -> dg.AssetCheckResult:
        settings = warehouse.settings
        result = evaluate_suite(suite, settings, context.run.run_id)
        if not result.success:
            build_erasure_models(context, dbt, warehouse)
            blocked = apply_erasures_while_blocked(settings, context.run.run_id)
            if blocked is not None and blocked.erasures_purged:
                context.log.warning(
                    f"the gate blocked; {blocked.erasures_purged} erased entries purged from the "
                    "current release and its history all the same"
                )
        failed = [
            f["expectation"] + str(f["kwargs"].get("column", ""))
            for f in result.failed_expectations
        ]
        return dg.AssetCheckResult(
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"{result.evaluated - len(failed)}/{result.evaluated} expectations passed"
                + (f"; failed: {', '.join(failed)}" if failed else "")
            ),
            metadata={
                "rows": result.rows,
                "evaluated": result.evaluated,
                "failed_expectations": dg.MetadataValue.json(result.failed_expectations),
                "data_docs": dg.MetadataValue.path(str(data_docs_index(settings))),
            },
        )

    return gate


def gate_suites(asset_keys: set[dg.AssetKey]) -> list[GateSuite]:
    """The suites whose gated asset exists in these definitions (a model not built yet by this
    checkout, such as a ``publish`` candidate, has no check rather than a dangling one)."""
    return [s for s in SUITES if dg.AssetKey(list(s.asset_key)) in asset_keys]


def build_gate_checks(asset_keys: set[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    return [_gate_check(suite) for suite in gate_suites(asset_keys)]
