"""Load complete landing batches into the warehouse's raw tables, exactly once each.

For every file of a batch: polars frames the delivered lines a block at a time (``parsing``),
DuckDB decodes, parses and validates each block in one pass (``sql/ingest/checked.sql``) on a
scratch connection (the batch's transaction would hold every block's scratch tables until it
commits), good rows go to ``raw.<system>__<entity>`` with their lineage, bad rows go to
``ingest.quarantine`` with a reason and their raw text, and ``ingest.file_loads`` records
landed = loaded + quarantined against the ``_SUCCESS`` count.
One batch is one transaction, and a batch already in ``ingest.batch_loads`` is never loaded again.

The landing zone is untrusted (``landing``): links and entries that are not regular files are
refused, never read, and each gets a row in ``ingest.quarantine`` naming it. Every loaded batch's
content digest is recorded; a batch id seen again with the same content is a retried transfer
and changes nothing, with different content it is a conflict: its new content is not loaded,
it is quarantined whole (one row naming the batch and both digests), and the system's
``landing_consistent`` check fails for as long as the landing zone holds it.

A batch is judged before it is loaded (``batch_clock``): one whose extraction time is in the
future, far behind the system's loaded batches, or not the time its ``_SUCCESS`` says, is
quarantined whole: its verdict is recorded in ``ingest.batch_loads.quarantine_reason`` (so it is
never judged or loaded again, and counts as seen), one ``ingest.quarantine`` row names it with
the reason, none of its rows is loaded, and the system's ``landing_timely`` check fails for as
long as the landing zone holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import duckdb
import polars as pl

from customer_truth.batch_clock import judge_batch
from customer_truth.contracts import EntityContract, contract_for
from customer_truth.landing import (
    Batch,
    LandingProblem,
    batch_content_sha256,
    batch_stat_signature,
    complete_batches,
    landing_refusals,
    open_landed,
)
from customer_truth.parsing import LINES_SCHEMA, csv_blocks, jsonl_blocks
from customer_truth.settings import BatchClock
from customer_truth.statements import statement
from customer_truth.warehouse import ensure_raw_schema

SQL = "sql/ingest"  # one statement per file: customer_truth/sql/ingest/<name>.sql


@dataclass(frozen=True)
class FileLoad:
    """What happened to one file of a batch."""

    system: str
    batch_id: str
    file_name: str
    entity: str | None
    declared_rows: int | None
    landed_rows: int
    loaded_rows: int
    quarantined_rows: int
    problem: str | None

    @property
    def reconciled(self) -> bool:
        return self.problem is None


# A later delivery of an erased person's record (privacy.erased_source_records, by the hash of
# its record uid) is not loaded: quarantined with this reason and without its text.
ERASED_RECORD_REASON = "the record of an erased person: suppressed at ingestion"


def _bind_contract(contract: EntityContract) -> dict[str, object]:
    plain = [f for f in contract.json_fields if not f.walks_array]
    return {
        "id_field": contract.id_field,
        # the id first, then the fields: each list is read from the line in one parse
        "type_paths": ["$." + contract.id_field, *(f.path for f in plain)],
        "field_names": [f.path.removeprefix("$.") for f in plain] or [""],
        "field_types": [list(f.types) for f in plain] or [["NULL"]],
        "text_paths": ["$." + contract.id_field, *("$." + f.column for f in contract.csv_fields)],
        "csv_names": [f.column for f in contract.csv_fields] or [""],
        "csv_patterns": [f.pattern for f in contract.csv_fields] or [".*"],
    }


def _frames(path: Path, contract: EntityContract, landing: Path) -> Iterator[pl.DataFrame]:
    def opener(file: Path) -> BinaryIO:
        return open_landed(landing, file)

    if contract.extension == "csv":
        yield from csv_blocks(path, opener=opener)
    else:
        yield from jsonl_blocks(path, opener=opener)


def _check_block(
    scratch: duckdb.DuckDBPyConnection,
    frame: pl.DataFrame,
    contract: EntityContract,
    batch: Batch,
    params: dict[str, object],
) -> tuple[int, int, int]:
    """Check one block on ``scratch`` (``_checked``: each line parsed and validated in one
    pass); its landed, loaded and quarantined line counts."""
    scratch.register("_incoming", frame.select(list(LINES_SCHEMA)).to_arrow())
    try:
        scratch.execute(statement(f"{SQL}/checked"), params)
        for field in (f for f in contract.json_fields if f.walks_array):
            scratch.execute(
                statement(f"{SQL}/wrong_array_items"),
                {
                    "name": field.path.removeprefix("$."),
                    "path": field.path,
                    "types": list(field.types),
                },
            )
        scratch.execute(
            statement(f"{SQL}/suppress_erased_records"),
            {
                "reason": ERASED_RECORD_REASON,
                "record_uid_prefix": f"{batch.system}:{contract.entity}:",
            },
        )
        landed, loaded, quarantined = scratch.sql(statement(f"{SQL}/frame_counts")).fetchall()[0]
    finally:
        scratch.unregister("_incoming")
    return landed, loaded, quarantined


def _append_block(
    con: duckdb.DuckDBPyConnection,
    scratch: duckdb.DuckDBPyConnection,
    contract: EntityContract,
    lineage: dict[str, object],
) -> None:
    """Append the checked block's good lines to the raw table and its bad ones to the
    quarantine, in the batch's transaction (``con``).

    Inserted as relations, not through ``register``: a transaction keeps every Python object a
    statement of it scanned until it commits, so a batch held each block's rows twice over until
    its end (a 1M-person world's 6.6 GB digital delivery: 11.8 GiB of RSS at a 7.2 GB budget)."""
    good = scratch.sql(statement(f"{SQL}/good_lines"), params=lineage).to_arrow_table()
    # the raw table's name comes from the contract (code), never from data
    con.from_arrow(good).insert_into(f"raw.{contract.table}")
    del good
    bad = scratch.sql(
        statement(f"{SQL}/bad_lines"),
        params={
            "system": contract.system,
            "entity": contract.entity,
            **{key: lineage[key] for key in ("batch_id", "source_file", "loaded_at")},
        },
    ).to_arrow_table()
    if bad.num_rows:
        con.from_arrow(bad).insert_into("ingest.quarantine")


def load_file(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    path: Path,
    landing: Path,
    loaded_at: datetime,
) -> FileLoad:
    """Load one file of a batch (inside the caller's transaction)."""
    source_file = str(path.relative_to(landing))
    declared = batch.declared_rows.get(path.name)
    contract = contract_for(batch.system, path.name)
    if contract is None:
        con.execute(
            statement(f"{SQL}/unknown_file"),
            [
                batch.system,
                batch.batch_id,
                source_file,
                "a file the contract does not list for this system; not loaded",
                loaded_at,
            ],
        )
        return FileLoad(
            batch.system,
            batch.batch_id,
            path.name,
            None,
            declared,
            0,
            0,
            0,
            "unknown file, not loaded",
        )
    landed = loaded = quarantined = 0
    params = _bind_contract(contract)
    lineage: dict[str, object] = {
        "batch_id": batch.batch_id,
        "batch_mode": batch.mode,
        "extracted_at": batch.extracted_at,
        "source_file": source_file,
        "loaded_at": loaded_at,
    }
    # A block is parsed and validated on a connection of its own (autocommit): scratch tables
    # written inside the batch's transaction stay held until it commits, so a 6 GB file held
    # about its own size outside DuckDB's budget (a 1M-person world's digital events: 16.8 GiB
    # at a 9.4 GiB budget). Only the block's outcome enters the transaction.
    with con.cursor() as scratch:
        for frame in _frames(path, contract, landing):
            counts = _check_block(scratch, frame, contract, batch, params)
            _append_block(con, scratch, contract, lineage)
            landed += counts[0]
            loaded += counts[1]
            quarantined += counts[2]
    return FileLoad(
        batch.system,
        batch.batch_id,
        path.name,
        contract.entity,
        declared,
        landed,
        loaded,
        quarantined,
        _reconcile(batch, declared, landed, loaded, quarantined),
    )


def _reconcile(
    batch: Batch, declared: int | None, landed: int, loaded: int, quarantined: int
) -> str | None:
    if landed != loaded + quarantined:
        return f"landed {landed} rows but loaded {loaded} + quarantined {quarantined}"
    if batch.manifest_error:
        return f"manifest unusable: {batch.manifest_error}"
    if declared is None:
        return "the file is not listed in _SUCCESS"
    if declared != landed:
        return f"_SUCCESS declares {declared} rows, the file has {landed}"
    return None


def _load_time(con: duckdb.DuckDBPyConnection) -> datetime:
    """Now, or just after the latest load when the clock stands behind it. Load times never go
    back: incremental staging reads what was loaded since its last delivery
    (dbt_project/macros/staging_incremental.sql), so a batch stamped before an earlier one after
    the clock was set back would never be staged."""
    latest = con.execute(statement(f"{SQL}/latest_load_time")).fetchall()[0][0]
    now = datetime.now(UTC)
    return max(now, latest + timedelta(microseconds=1)) if latest is not None else now


def load_batch(
    con: duckdb.DuckDBPyConnection, batch: Batch, landing: Path
) -> list[FileLoad] | None:
    """Load a batch in one transaction; None when it was loaded before (loading is idempotent)."""
    already = con.execute(
        statement(f"{SQL}/batch_loaded"),
        [batch.system, batch.batch_id],
    ).fetchall()[0][0]
    if already:
        return None
    loaded_at = _load_time(con)
    # the digests are taken before reading: a file rewritten meanwhile shows as a conflict later
    content_stat = batch_stat_signature(batch)
    content_sha256 = batch_content_sha256(landing, batch)
    con.begin()
    try:
        loads = [load_file(con, batch, path, landing, loaded_at) for path in batch.data_files()]
        # a refused entry is never read; its quarantine row is written by ``record_problems``
        loads += [
            FileLoad(
                batch.system,
                batch.batch_id,
                path.name,
                contract.entity if (contract := contract_for(batch.system, path.name)) else None,
                batch.declared_rows.get(path.name),
                0,
                0,
                0,
                f"refused: {reason}",
            )
            for path, reason in batch.refused_entries()
        ]
        present = {load.file_name for load in loads}
        # a file the manifest promises but the batch lacks is a loss, and says so
        loads += [
            FileLoad(
                batch.system,
                batch.batch_id,
                name,
                None,
                count,
                0,
                0,
                0,
                f"_SUCCESS declares {count} rows, the file is missing",
            )
            for name, count in sorted(batch.declared_rows.items())
            if name not in present
        ]
        con.execute(
            statement(f"{SQL}/batch_load"),
            [
                batch.system,
                batch.batch_id,
                batch.mode,
                batch.extracted_at,
                batch.manifest_error,
                loaded_at,
                content_sha256,
                content_stat,
            ],
        )
        con.executemany(
            statement(f"{SQL}/file_load"),
            [
                [
                    load.system,
                    load.batch_id,
                    load.file_name,
                    load.entity,
                    load.declared_rows,
                    load.landed_rows,
                    load.loaded_rows,
                    load.quarantined_rows,
                    load.reconciled,
                    load.problem,
                    loaded_at,
                ]
                for load in loads
            ],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return loads


def quarantine_batch(
    con: duckdb.DuckDBPyConnection, batch: Batch, landing: Path, reason: str
) -> LandingProblem:
    """Record the verdict on a batch that is not loaded at all: its ``ingest.batch_loads`` row
    carries the reason (the batch is never judged or loaded again, and a release's batches name
    it as seen) and its digests (a changed re-delivery is still a conflict). No row is read."""
    con.execute(
        statement(f"{SQL}/quarantined_batch"),
        [
            batch.system,
            batch.batch_id,
            batch.mode,
            batch.extracted_at,
            batch.manifest_error,
            _load_time(con),
            batch_content_sha256(landing, batch),
            batch_stat_signature(batch),
            reason,
        ],
    )
    return _quarantined_problem(batch, reason)


def _quarantined_problem(batch: Batch, reason: str) -> LandingProblem:
    return LandingProblem(batch.system, batch.batch_id, f"{batch.system}/{batch.batch_id}", reason)


def changed_redelivery(
    con: duckdb.DuckDBPyConnection, batch: Batch, landing: Path
) -> LandingProblem | None:
    """For a batch id loaded before: a conflict when the landing zone now holds different
    content under it, None when the content is the one loaded (a retried transfer).

    The content is hashed again only when the folder's stat digest moved. A batch loaded before
    digests were recorded takes the content it has now as its digest (nothing to compare)."""
    loaded_sha256, loaded_stat = con.execute(
        statement(f"{SQL}/loaded_digest"), [batch.system, batch.batch_id]
    ).fetchall()[0]
    content_stat = batch_stat_signature(batch)
    if loaded_sha256 is not None and content_stat == loaded_stat:
        return None
    content_sha256 = batch_content_sha256(landing, batch)
    if loaded_sha256 is None:
        con.execute(
            statement(f"{SQL}/record_digest"),
            [content_sha256, content_stat, batch.system, batch.batch_id],
        )
        return None
    if content_sha256 == loaded_sha256:
        return None
    return LandingProblem(
        batch.system,
        batch.batch_id,
        f"{batch.system}/{batch.batch_id}",
        f"batch id already loaded with different content (sha-256 {loaded_sha256} loaded, "
        f"{content_sha256} delivered now): a conflict, the new content is quarantined whole "
        "and not loaded",
    )


def record_problems(con: duckdb.DuckDBPyConnection, problems: list[LandingProblem]) -> None:
    """One quarantine row per landing problem, naming the path and the reason, never the
    content; a problem already recorded is not recorded again (runs stay idempotent)."""
    if not problems:
        return
    frame = pl.DataFrame(
        [(p.system, p.batch_id, p.source_file, p.reason) for p in problems],
        schema={
            "system": pl.String,
            "batch_id": pl.String,
            "source_file": pl.String,
            "reason": pl.String,
        },
        orient="row",
    )
    con.register("_problems", frame.to_arrow())
    try:
        con.execute(
            statement(f"{SQL}/landing_problems"),
            [datetime.now(UTC)],
        )
    finally:
        con.unregister("_problems")


@dataclass(frozen=True)
class SystemIngest:
    """What one ingestion of a system did: the batches it loaded (batch id -> file loads) and
    what the landing zone holds that was not loaded as delivered."""

    loaded: dict[str, list[FileLoad]]
    problems: list[LandingProblem]
    # batches the landing zone holds that were quarantined whole (now or before): their times
    quarantined: list[LandingProblem] = field(default_factory=list)


def ingest_landing(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    system: str,
    clock: BatchClock | None = None,
    now: datetime | None = None,
) -> SystemIngest:
    """Refuse what must not be read, judge and load every complete batch of ``system`` not seen
    before in delivery order, and compare the batches seen before with what the landing holds
    now. ``clock``: the tolerances of ``batch_clock.judge_batch``; ``now``: the wall clock."""
    ensure_raw_schema(con)
    clock = clock or BatchClock()
    now = now or datetime.now(UTC)
    problems = landing_refusals(landing, system)
    loaded: dict[str, list[FileLoad]] = {}
    quarantined: list[LandingProblem] = []
    for batch in complete_batches(landing, system):
        verdict = con.execute(
            statement(f"{SQL}/batch_verdict"), [batch.system, batch.batch_id]
        ).fetchall()
        if not verdict:
            latest = con.execute(
                statement(f"{SQL}/latest_loaded_batch"), [batch.system]
            ).fetchall()[0][0]
            if reason := judge_batch(batch, latest, now, clock):
                quarantined.append(quarantine_batch(con, batch, landing, reason))
                continue
            loads = load_batch(con, batch, landing)
            if loads is not None:
                loaded[batch.batch_id] = loads
            continue
        if verdict[0][0] is not None:
            quarantined.append(_quarantined_problem(batch, verdict[0][0]))
        if conflict := changed_redelivery(con, batch, landing):
            problems.append(conflict)
    record_problems(con, problems + quarantined)
    return SystemIngest(loaded, problems, quarantined)


def load_new_batches(
    con: duckdb.DuckDBPyConnection, landing: Path, system: str
) -> dict[str, list[FileLoad]]:
    """Load every complete batch of ``system`` not loaded before, in delivery order."""
    return ingest_landing(con, landing, system).loaded
