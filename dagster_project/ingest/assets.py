"""Raw ingestion assets: one multi-asset per source system, one asset per raw table.

Each run loads the system's complete batches that were not loaded before (``customer_truth.
ingest``). The asset check ``landing_reconciles`` of every raw table says whether each newly
loaded file's rows add up: landed = loaded + quarantined = the ``_SUCCESS`` count. The check
``landing_consistent`` says whether the landing zone holds anything for that table that was not
loaded as delivered: a refused link or non-regular entry, or a batch id re-delivered with changed
content (a conflict). It fails on every run for as long as the landing zone holds it. The check
``landing_timely`` says whether every batch of the system was judged believable in time
(``customer_truth.batch_clock``): a batch whose extraction time is in the future, far behind the
system's loaded batches, or not the time its ``_SUCCESS`` says, is quarantined whole, and the check
fails, naming it and the reason, on every run for as long as the landing zone holds it. The check
``source_freshness`` measures how long ago the table's latest delivery was loaded against the
thresholds its dbt source declares (``customer_truth.source_freshness``): it warns past
``warn_after`` and fails (severity ERROR) past ``error_after``. None of these checks blocks: a late
system leaves the others' data worth publishing (dbt_project/README.md, "Source freshness").
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt.dbt_manifest import validate_manifest

from customer_truth.contracts import SYSTEMS, EntityContract, contracts_of
from customer_truth.ingest import FileLoad, ingest_landing
from customer_truth.interaction_log import SOURCE as AGENT_SOURCE
from customer_truth.interaction_log import load_interactions
from customer_truth.landing import LandingProblem
from customer_truth.source_freshness import Freshness, freshness_rules, measure
from dagster_project.resources import WarehouseResource
from dagster_project.transform.project import customer_truth_project

RECONCILIATION_CHECK = "landing_reconciles"
CONSISTENCY_CHECK = "landing_consistent"
TIMELINESS_CHECK = "landing_timely"
FRESHNESS_CHECK = "source_freshness"

# the raw tables' freshness as dbt source `raw` declares it, read when the definitions load from
# the manifest @dbt_assets parses (dagster-dbt caches it per path: no second parse)
FRESHNESS_RULES = freshness_rules(validate_manifest(customer_truth_project.manifest_path), "raw")


def raw_asset_key(contract: EntityContract) -> dg.AssetKey:
    """Asset keys mirror relations: ``raw.crm__contacts`` is ``["raw", "crm__contacts"]``."""
    return dg.AssetKey(["raw", contract.table])


def _system_assets(system: str) -> dg.AssetsDefinition:
    contracts = contracts_of(system)

    @dg.multi_asset(
        name=f"ingest_{system}",
        specs=[
            dg.AssetSpec(
                raw_asset_key(c),
                group_name=system,
                kinds={"duckdb", "polars"},
                description=f"Every delivered {c.entity} row of {system}, with its original "
                "payload and lineage (batch, file, line, load time).",
            )
            for c in contracts
        ],
        check_specs=[
            dg.AssetCheckSpec(
                RECONCILIATION_CHECK,
                asset=raw_asset_key(c),
                description="Each newly loaded file: landed rows = loaded + quarantined = the "
                "_SUCCESS row count.",
            )
            for c in contracts
        ]
        + [
            dg.AssetCheckSpec(
                CONSISTENCY_CHECK,
                asset=raw_asset_key(c),
                description="The landing zone holds nothing for this table that was not loaded "
                "as delivered: no refused symbolic link or non-regular entry, no batch id "
                "re-delivered with changed content.",
            )
            for c in contracts
        ]
        + [
            dg.AssetCheckSpec(
                TIMELINESS_CHECK,
                asset=raw_asset_key(c),
                description="No batch of this system was quarantined whole for its extraction "
                "time: none in the future beyond the tolerance, none far behind the system's "
                "loaded batches, none whose batch id and _SUCCESS extracted_at disagree.",
            )
            for c in contracts
        ]
        + [
            dg.AssetCheckSpec(
                FRESHNESS_CHECK,
                asset=raw_asset_key(c),
                description="How long ago this table's latest delivery was loaded, against its "
                "dbt source freshness (_sources.yml): warns past warn_after, fails past "
                "error_after. Does not block publication.",
            )
            for c in contracts
            if c.table in FRESHNESS_RULES
        ],
        op_tags={"warehouse": "write"},
    )
    def ingest_system(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        settings = warehouse.settings
        with warehouse.connect() as con:
            ingested = ingest_landing(con, settings.landing, system, settings.batch_clock)
            loaded = ingested.loaded
            totals = {
                c.entity: con.execute(
                    # the table name comes from the contract in code
                    f"select count(*) from raw.{c.table}"  # noqa: S608
                ).fetchall()[0][0]
                for c in contracts
            }
            freshness = {
                c.table: measure(con, FRESHNESS_RULES[c.table])
                for c in contracts
                if c.table in FRESHNESS_RULES
            }
        context.log.info(f"{system}: loaded {len(loaded)} new batch(es): {sorted(loaded)}")
        loads = [load for batch_loads in loaded.values() for load in batch_loads]
        for problem in ingested.problems:
            context.log.error(f"landing problem: {problem.line()}")
        for problem in ingested.quarantined:
            context.log.error(f"batch quarantined: {problem.line()}")
        for contract in contracts:
            yield _materialization(
                contract,
                loads,
                list(loaded),
                totals[contract.entity],
                ingested.problems,
                ingested.quarantined,
                freshness.get(contract.table),
            )

    return ingest_system


def _materialization(
    contract: EntityContract,
    loads: list[FileLoad],
    batch_ids: list[str],
    total_rows: int,
    landing_problems: list[LandingProblem],
    quarantined_batches: list[LandingProblem],
    freshness: Freshness | None,
) -> dg.MaterializeResult:
    mine = [load for load in loads if load.file_name == contract.file_name]
    # a file the manifest promised but the batch lacks has no entity yet: attribute it by name
    problems = [
        f"{load.batch_id}/{load.file_name}: {load.problem}" for load in mine if load.problem
    ]
    check = dg.AssetCheckResult(
        check_name=RECONCILIATION_CHECK,
        asset_key=raw_asset_key(contract),
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(problems) if problems else "every new file reconciles",
        metadata={
            "files_checked": len(mine),
            "landed_rows": sum(load.landed_rows for load in mine),
            "loaded_rows": sum(load.loaded_rows for load in mine),
            "quarantined_rows": sum(load.quarantined_rows for load in mine),
            "mismatches": len(problems),
        },
    )
    return dg.MaterializeResult(
        asset_key=raw_asset_key(contract),
        metadata={
            "new_batches": dg.MetadataValue.json(batch_ids),
            "new_rows_loaded": sum(load.loaded_rows for load in mine),
            "new_rows_quarantined": sum(load.quarantined_rows for load in mine),
            "dagster/row_count": total_rows,
        },
        check_results=[
            check,
            _consistency(contract, landing_problems),
            _timeliness(contract, quarantined_batches),
            *([_freshness(contract, freshness)] if freshness else []),
        ],
    )


def _consistency(contract: EntityContract, problems: list[LandingProblem]) -> dg.AssetCheckResult:
    # a problem with a whole batch or system folder concerns every table of the system
    mine = [p for p in problems if p.file_name in (None, contract.file_name)]
    return dg.AssetCheckResult(
        check_name=CONSISTENCY_CHECK,
        asset_key=raw_asset_key(contract),
        passed=not mine,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(p.line() for p in mine) if mine else "nothing refused, no conflict",
        metadata={"problems": len(mine)},
    )


def _timeliness(contract: EntityContract, quarantined: list[LandingProblem]) -> dg.AssetCheckResult:
    # a batch is quarantined whole: it concerns every table of its system
    return dg.AssetCheckResult(
        check_name=TIMELINESS_CHECK,
        asset_key=raw_asset_key(contract),
        passed=not quarantined,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(p.line() for p in quarantined)
        if quarantined
        else "every batch's extraction time is believable",
        metadata={"quarantined_batches": len(quarantined)},
    )


def _freshness(contract: EntityContract, freshness: Freshness) -> dg.AssetCheckResult:
    rule, loaded = freshness.rule, freshness.max_loaded_at
    metadata: dict[str, Any] = {
        "status": freshness.status,
        "measured_by": rule.loaded_at_query or f"max({rule.loaded_at_field})",
    }
    if loaded is not None:
        metadata["last_loaded_at"] = dg.MetadataValue.timestamp(loaded)
        metadata["age_hours"] = round(freshness.age_seconds / 3600, 2)
    return dg.AssetCheckResult(
        check_name=FRESHNESS_CHECK,
        asset_key=raw_asset_key(contract),
        passed=freshness.status == "pass",
        # past warn_after a warning, past error_after an error: dbt's two levels
        severity=dg.AssetCheckSeverity.ERROR
        if freshness.status == "error"
        else dg.AssetCheckSeverity.WARN,
        description=freshness.description(),
        metadata=metadata,
    )


@dg.asset(
    key=dg.AssetKey(["raw", "ai_agent__interactions"]),
    group_name=AGENT_SOURCE,
    kinds={"duckdb"},
    description="What AI agents recorded doing for a customer (the interaction log under "
    "$CUSTOMER_TRUTH_HOME/interactions/, customer_truth/interaction_log.py): every line not "
    "loaded yet, with the raw layer's lineage columns.",
    op_tags={"warehouse": "write"},
)
def ingest_agent_interactions(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        loaded = load_interactions(con, warehouse.settings.home)
        total = con.execute("select count(*) from raw.ai_agent__interactions").fetchall()[0][0]
    context.log.info(f"ai_agent: loaded {loaded} new interaction(s)")
    return dg.MaterializeResult(metadata={"new_rows_loaded": loaded, "dagster/row_count": total})


INGEST_ASSETS = [*(_system_assets(system) for system in SYSTEMS), ingest_agent_interactions]
