"""The quality gate: every Great Expectations suite of ``data_quality`` as a blocking asset check.

A failed suite stops every asset downstream of the one it checks, the publication included, and
records the block in ``publication_log`` (``customer_truth.quality.evaluate``).
"""

import dagster as dg

from customer_truth.quality.evaluate import evaluate_suite
from customer_truth.quality.gate import GateSuite, data_docs_index
from dagster_project.resources import WarehouseResource
from data_quality import SUITES


def _gate_check(suite: GateSuite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key)),
        name=f"gx_{suite.name}",
        blocking=True,
        description=f"Great Expectations suite {suite.name}: {suite.description}",
    )
    def gate(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        settings = warehouse.settings
        result = evaluate_suite(suite, settings, context.run.run_id)
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
