"""One gate suite evaluated for one run: frame from the warehouse, GX, stored result, block record.

Called by the Dagster asset checks (``dagster_project/quality``). When a suite fails, the attempt's
``blocked`` row in ``publication_log`` is written at once, and rewritten by every later suite of
the same run, so the row lists every suite that ran and every expectation that failed, even
though Dagster skips the publish step. ``apply_erasures_while_blocked`` then purges the current
release of the persons erased since the last purge: a blocked gate never holds back an erasure.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from customer_truth.privacy.warehouse_erasure import sweep_erased
from customer_truth.privacy.warehouse_purge import purge_warehouse_if_due
from customer_truth.publication.erasure import read_erased
from customer_truth.publication.log import STATUS_PUBLISHED, LogEntry, read_entries
from customer_truth.publication.publisher import loaded_batches, record_blocked, relation_exists
from customer_truth.quality.gate import (
    GateContext,
    GateSuite,
    SuiteResult,
    read_frame,
    run_results,
    run_suite,
    store_result,
)
from customer_truth.settings import Settings
from customer_truth.warehouse import open_warehouse


def gate_context(settings: Settings) -> GateContext:
    """What the current release measured: the bounds of relative expectations."""
    published = [e for e in read_entries(settings.published) if e.status == STATUS_PUBLISHED]
    if not published:
        return GateContext()
    current = published[-1]
    return GateContext(
        previous_row_counts=current.row_counts,
        previous_metrics={r["suite"]: r.get("metrics") or {} for r in current.gate_results},
    )


def evaluate_suite(suite: GateSuite, settings: Settings, run_id: str) -> SuiteResult:
    with open_warehouse(settings) as con:
        missing = [r for r in suite.requires if not relation_exists(con, r)]
        if missing:
            raise LookupError(f"suite {suite.name}: relation(s) {missing} do not exist")
        # the query is code of the suite module, not data
        frame = read_frame(con, suite.query)
        batches = loaded_batches(con)
    result = run_suite(suite, frame, settings, gate_context(settings))
    # Arrow's allocator keeps what the frame freed for reuse: given back to the system, so that
    # what the largest suite held does not stay with the process through publication (a
    # 1M-person gate: 13.5 GiB still resident as publication began)
    del frame
    pa.default_memory_pool().release_unused()
    store_result(settings, run_id, result)
    results = run_results(settings, run_id)
    if any(not r["success"] for r in results):
        started = datetime.fromisoformat(min(r["ran_at"] for r in results))
        record_blocked(settings, run_id, started, results, batches)
    return result


def apply_erasures_while_blocked(settings: Settings, run_id: str) -> LogEntry | None:
    """The run's gate blocked: purge the current release (and its history) of every person the
    warehouse's erased set (``publish.erased_customers``) holds beyond the last purge, and record
    it on the run's ``blocked`` row. None when no suite of the run failed."""
    results = run_results(settings, run_id)
    if not any(not r["success"] for r in results):
        return None
    with open_warehouse(settings) as con:
        erased = read_erased(con)
        batches = loaded_batches(con)
    started = datetime.fromisoformat(min(r["ran_at"] for r in results))
    entry = record_blocked(settings, run_id, started, results, batches, erased)
    with open_warehouse(settings) as con:
        sweep_erased(con, settings.home)
    purge_warehouse_if_due(settings)
    return entry
