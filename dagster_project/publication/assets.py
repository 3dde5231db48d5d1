"""Publication: the last step of the main job, after every gate passed.

Write-audit-publish of the registry's tables as one release (``customer_truth.publication``).
Dagster skips this step when a blocking gate check failed; the block itself is recorded by the
check. As a second line of defence the publisher refuses to publish a run with a failed suite.
"""

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from customer_truth.publication.log import STATUS_PUBLISHED
from customer_truth.publication.publisher import publish_release
from customer_truth.publication.registry import PUBLISHED_TABLES
from customer_truth.quality.gate import refresh_data_docs_index, run_results
from dagster_project.resources import WarehouseResource

PUBLISHED_RELEASE = dg.AssetKey(["published", "release"])

# Test hook: a run whose environment names a file here writes it once its gates have passed and
# waits, before publishing, until the file is removed (at most PAUSE_SECONDS), so that a test can
# start a second run in the gap (tests/integration/test_concurrent_runs.py).
PAUSE_BEFORE_PUBLISH = "CUSTOMER_TRUTH_TEST_PAUSE_BEFORE_PUBLISH"
PAUSE_SECONDS = 600.0


def _pause_if_asked(context: dg.AssetExecutionContext) -> None:
    marker = os.environ.get(PAUSE_BEFORE_PUBLISH)
    if not marker:
        return
    path = Path(marker)
    path.write_text(context.run.run_id)
    context.log.warning(f"{PAUSE_BEFORE_PUBLISH}: paused before publishing until {path} is gone")
    deadline = time.monotonic() + PAUSE_SECONDS
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def candidate_keys(asset_keys: set[dg.AssetKey]) -> list[dg.AssetKey]:
    """The relations the release is written from: each table's candidate, else its fallback."""
    found = []
    for table in PUBLISHED_TABLES:
        for relation in (table.relation, table.fallback):
            key = dg.AssetKey(relation.split(".")) if relation else None
            if key is not None and key in asset_keys:
                found.append(key)
                break
    return found


def build_publication_asset(
    asset_keys: set[dg.AssetKey], gated: list[dg.AssetKey]
) -> dg.AssetsDefinition:
    deps = sorted(set(candidate_keys(asset_keys)) | set(gated), key=lambda k: k.to_string())

    @dg.asset(
        key=PUBLISHED_RELEASE,
        deps=deps,
        group_name="release",
        kinds={"deltalake", "duckdb"},
        op_tags={"warehouse": "write"},
        description="Every published Delta table as one release under published/, "
        "publication_log, the journey marts and analytics.duckdb.",
    )
    def published_release(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        _pause_if_asked(context)
        settings = warehouse.settings
        results = run_results(settings, context.run_id)
        started = (
            datetime.fromisoformat(min(r["ran_at"] for r in results))
            if results
            else datetime.now(UTC)
        )
        # each suite wrote its own pages; the index lists them once the whole gate has run
        refresh_data_docs_index(settings)
        entry = publish_release(settings, context.run_id, started, results)
        if entry.status != STATUS_PUBLISHED:
            raise dg.Failure(
                description="a quality gate failed: nothing was published",
                metadata={"failed": dg.MetadataValue.json(entry.failed_expectations)},
            )
        context.log.info(f"published release {entry.publication_id}: {entry.row_counts}")
        return dg.MaterializeResult(
            metadata={
                "publication_id": entry.publication_id,
                "row_counts": dg.MetadataValue.json(entry.row_counts),
                "table_versions": dg.MetadataValue.json(entry.table_versions),
                "erasures_purged": entry.erasures_purged,
                "published_root": dg.MetadataValue.path(str(settings.published)),
            }
        )

    return published_release
