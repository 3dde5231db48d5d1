"""Raw ingestion assets: one multi-asset per source system, one asset per raw table.

Each run loads the system's complete batches that were not loaded before (``customer_truth.
ingest``). The asset check ``landing_reconciles`` of every raw table says whether each newly
loaded file's rows add up: landed = loaded + quarantined = the ``_SUCCESS`` count.
"""

from collections.abc import Iterator

import dagster as dg

from customer_truth.contracts import SYSTEMS, EntityContract, contracts_of
from customer_truth.ingest import FileLoad, load_new_batches
from dagster_project.resources import WarehouseResource

RECONCILIATION_CHECK = "landing_reconciles"


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
        ],
        op_tags={"warehouse": "write"},
    )
    def ingest_system(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        settings = warehouse.settings
        with warehouse.connect() as con:
            loaded = load_new_batches(con, settings.landing, system)
            totals = {
                c.entity: con.execute(
                    # the table name comes from the contract in code
                    f"select count(*) from raw.{c.table}"  # noqa: S608
                ).fetchall()[0][0]
                for c in contracts
            }
        context.log.info(f"{system}: loaded {len(loaded)} new batch(es): {sorted(loaded)}")
        loads = [load for batch_loads in loaded.values() for load in batch_loads]
        for contract in contracts:
            yield _materialization(contract, loads, list(loaded), totals[contract.entity])

    return ingest_system


def _materialization(
    contract: EntityContract, loads: list[FileLoad], batch_ids: list[str], total_rows: int
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
        check_results=[check],
    )


INGEST_ASSETS = [_system_assets(system) for system in SYSTEMS]
