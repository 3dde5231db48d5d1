"""Identity resolution between the dbt layers: records -> clusters -> stable customer ids.

dbt builds ``intermediate.int_identity__*``; these Python steps resolve them (Splink on an
in-memory DuckDB, guards, constrained clustering) and carry customer ids over from the previous
run; dbt then builds the identity and golden marts from ``identity.*`` (its ``identity`` source).
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from customer_truth.identity.resolve import resolve_identities
from customer_truth.identity.stable_ids import assign_customer_ids
from dagster_project.resources import WarehouseResource

RESOLUTION_INPUTS = [
    dg.AssetKey(["intermediate", "int_identity__records"]),
    dg.AssetKey(["intermediate", "int_identity__deterministic_links"]),
    dg.AssetKey(["intermediate", "int_identity__identifier_usage"]),
]
RECORD_CLUSTERS = dg.AssetKey(["identity", "record_clusters"])


class ResolutionConfig(dg.Config):
    full_refresh: bool = False
    """Compare every pair of records again, not only those of changed records (the kept
    comparison vectors are set aside; the scores are the same)."""


@dg.multi_asset(
    name="resolve_identities",
    specs=[
        dg.AssetSpec(
            RECORD_CLUSTERS,
            deps=RESOLUTION_INPUTS,
            group_name="identity",
            kinds={"duckdb", "splink"},
            description="One row per identity record: the person (cluster) it belongs to in "
            "this run, and the rule or model score that attached it.",
        ),
        dg.AssetSpec(
            ["identity", "match_evidence"],
            deps=RESOLUTION_INPUTS,
            group_name="identity",
            kinds={"duckdb"},
            description="Every rule link and scored pair considered, with its decision and the "
            "guard that cut it.",
        ),
        dg.AssetSpec(
            ["identity", "review_queue"],
            deps=RESOLUTION_INPUTS,
            group_name="identity",
            kinds={"duckdb"},
            description="Pairs near the match threshold, for a human to review.",
        ),
    ],
    op_tags={"warehouse": "write"},
)
def resolve_identity_clusters(
    context: dg.AssetExecutionContext, config: ResolutionConfig, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    with warehouse.connect() as con:
        summary = resolve_identities(con, compare_all=config.full_refresh)
    context.log.info(f"resolution: {summary.as_dict()}")
    metadata: dict[str, Any] = {
        key: value for key, value in summary.as_dict().items() if value is not None
    }
    yield dg.MaterializeResult(asset_key=RECORD_CLUSTERS, metadata=metadata)
    yield dg.MaterializeResult(
        asset_key=dg.AssetKey(["identity", "match_evidence"]),
        metadata={"scored_pairs": summary.scored_pairs, "cut_by_guard": summary.cut_by_guard},
    )
    yield dg.MaterializeResult(
        asset_key=dg.AssetKey(["identity", "review_queue"]),
        metadata={"review_pairs": summary.review_pairs},
    )


STABLE_ID_KEYS = [
    dg.AssetKey(["identity", "record_customer_ids"]),
    dg.AssetKey(["identity", "customers"]),
    dg.AssetKey(["identity", "customer_id_history"]),
]


@dg.multi_asset(
    name="assign_customer_ids",
    specs=[
        dg.AssetSpec(
            key,
            deps=[RECORD_CLUSTERS],
            group_name="identity",
            kinds={"duckdb"},
            description=description,
        )
        for key, description in zip(
            STABLE_ID_KEYS,
            [
                "Each identity record's stable customer_id for this run.",
                "Every customer id ever issued, current or retired (persisted state).",
                "Created, merged, split and retired events with their reasons (persisted).",
            ],
            strict=True,
        )
    ],
    op_tags={"warehouse": "write"},
)
def assign_stable_customer_ids(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    with warehouse.connect() as con:
        summary = assign_customer_ids(con, run_at=datetime.now(UTC))
    context.log.info(f"stable ids: {summary}")
    counts = {
        "customers": summary.customers,
        "kept": summary.kept,
        "created": summary.created,
        "merged": summary.merged,
        "split": summary.split,
        "retired": summary.retired,
    }
    for key in STABLE_ID_KEYS:
        yield dg.MaterializeResult(asset_key=key, metadata=counts)


IDENTITY_ASSETS = [resolve_identity_clusters, assign_stable_customer_ids]
