"""What a run did, read back from ingestion's bookkeeping tables for the person at the terminal."""

from __future__ import annotations

from customer_truth.orchestration import RunOutcome
from customer_truth.privacy.warehouse_purge import purge_report
from customer_truth.publication.log import STATUS_PUBLISHED, find_entry
from customer_truth.quality.gate import data_docs_index, run_results
from customer_truth.settings import Settings
from customer_truth.statements import statement
from customer_truth.warehouse import ensure_raw_schema, open_warehouse

SQL = "sql/reporting"  # one statement per file: customer_truth/sql/reporting/<name>.sql


def print_run_report(settings: Settings, outcome: RunOutcome) -> None:
    with open_warehouse(settings) as con:
        ensure_raw_schema(con)
        per_system = con.execute(
            statement(f"{SQL}/loads_per_system"), [outcome.started_at]
        ).fetchall()
        problems = con.execute(
            statement(f"{SQL}/unreconciled_files"), [outcome.started_at]
        ).fetchall()
        # batches quarantined whole by this run for their extraction time (batch_clock)
        quarantined_batches = con.execute(
            statement(f"{SQL}/quarantined_batches"), [outcome.started_at]
        ).fetchall()
        # rows naming a whole file, batch or folder: refused entries, unknown files, conflicts
        refused = con.execute(statement(f"{SQL}/refused_entries"), [outcome.started_at]).fetchall()
        purge = purge_report(con, settings, outcome.started_at)
    print(f"run {outcome.run_id}: {'succeeded' if outcome.success else 'FAILED'}")
    if not per_system:
        print("ingestion: no new complete batches")
    for system, batches, loaded, quarantined, unreconciled in per_system:
        print(
            f"  {system:<15} {batches:>3} new batch(es)  {loaded:>9} rows loaded  "
            f"{quarantined:>6} quarantined  {unreconciled} unreconciled file(s)"
        )
    for (line,) in quarantined_batches:
        print(f"  QUARANTINED batch: {line}")
    for (problem,) in problems:
        print(f"  count mismatch: {problem}")
    for (line,) in refused:
        print(f"  not loaded as delivered: {line}")
    for failed in outcome.failed_checks:
        print(f"  failed check: {failed}")
    for warned in outcome.warned_checks:
        print(f"  warning check: {warned}")
    print_gate_and_publication(settings, outcome)
    if purge:
        print(purge)


def print_gate_and_publication(settings: Settings, outcome: RunOutcome) -> None:
    """The quality gate's verdict per suite and what the publication did in this run."""
    results = run_results(settings, outcome.run_id)
    if results:
        passed = sum(1 for r in results if r["success"])
        print(f"quality gate: {passed}/{len(results)} suite(s) passed")
        for result in results:
            if result["success"]:
                continue
            for failed in result["failed_expectations"]:
                column = failed["kwargs"].get("column") or failed["kwargs"].get("column_list", "")
                print(
                    f"  FAILED {result['suite']}: {failed['expectation']} {column}"
                    f" {failed['result']}"
                )
        print(f"  data docs: {data_docs_index(settings)}")
    entry = find_entry(settings.published, outcome.run_id)
    if entry is None:
        print("publication: none recorded for this run")
    elif entry.status == STATUS_PUBLISHED:
        counts = ", ".join(f"{t} {n}" for t, n in sorted(entry.row_counts.items()))
        print(f"publication {entry.publication_id}: published ({counts})")
        if entry.erasures_purged:
            print(f"  erasures purged from published history: {entry.erasures_purged}")
    else:
        print(
            f"publication {entry.publication_id}: BLOCKED by the quality gate "
            f"({len(entry.failed_expectations)} failed expectation(s)); the previous release "
            "stays current"
        )
        if entry.erasures_purged:
            print(
                f"  erasures applied all the same: {entry.erasures_purged} erased entries purged "
                "from the current release and its history"
            )
