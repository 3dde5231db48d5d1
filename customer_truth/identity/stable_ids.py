"""Stable customer ids: the same person keeps the same ``customer_id`` across runs and batches.

The rules and the events they record: the comment below the imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from customer_truth.statements import macro, statement

# Identity resolution (``identity.record_clusters``) groups source records into clusters whose
# ``cluster_key`` means something only within one run. This step turns those clusters into
# customer ids that last, by comparing each run's clusters with the previous assignment
# (``identity.customer_ids``) in one contingency table, old id x new cluster, counted in records.
#
# Rules, applied in this order (all set-based in DuckDB):
#
# 1. **Which cluster keeps an old id.** An old id stays with the cluster holding the most of its
#    records; ties go to the part holding the record that received the id earliest, then the part
#    with the smallest ``record_uid``. A cluster whose records were all under one id therefore
#    keeps it, and when an id's records split across clusters the larger part keeps it.
# 2. **Which id a cluster keeps (merges).** When several old ids choose the same cluster, the
#    survivor is the id held by the most of that cluster's records; ties go to the oldest id (the
#    earliest ``created_at`` in the registry), then the smallest id. The others are ``merged`` into
#    it and never return.
# 3. **New ids.** A cluster that keeps no old id (only new records, or only the smaller parts of
#    split ids) gets a new id: ``ct_`` + the first 16 hex digits of sha256 of its founding record
#    (its smallest ``record_uid``), plus ``_2``, ``_3``... when that id was ever issued before.
#    Why a hash and not a sequence: the same records found the same id however runs are ordered or
#    parallelised, a state rebuilt from scratch on the same data reproduces the same ids, and no
#    counter is shared. Why ``ct_`` and not ``cus_``: Stripe's customer ids are ``cus_...`` and sit
#    next to ours in ``identifier_lookup``. The registry ``identity.customers`` keeps every id
#    ever issued, so an id is never reused: a merged or retired id stays taken.
# 4. **Retired ids.** An id none of whose records appears in this run (erased, or every record
#    gone) is ``retired``.
# 5. **Guard.** An empty ``identity.record_clusters`` while ids exist is refused: it is far more
#    likely a failed upstream step than a world where every customer disappeared.
#
# Every change is an event in ``identity.customer_id_history`` with its reason and the records
# that moved: ``created`` (``from_customer_id`` names the id it split from, if any), ``merged``
# (``into_customer_id`` is the survivor), ``split`` (records of ``customer_id`` that now belong to
# ``into_customer_id``), ``retired``. A downstream system that cached an id follows ``merged``
# events (or the registry's ``superseded_by``) to the current one. Re-running on unchanged
# clusters changes nothing and records no event.
#
# The SQL is in ``sql/stable_ids/``, one statement per file, run in order by
# ``assign_customer_ids``. The caller opens the connection (``customer_truth.warehouse.connect``)
# under the warehouse lock; this step runs in one transaction, so a failure leaves the previous
# state untouched.

ID_PREFIX = "ct_"
ID_HASH_DIGITS = 16

# The statements of one assignment, in order (sql/stable_ids/<name>.sql): rules 1-3, events.
_STEPS = ("previous", "parts", "keepers", "survivors", "new_ids", "assignment", "next", "events")
# Then the state is written: events, registry, the assignment (each replaced whole).
_APPLY = (
    "record_history",
    "mark_merged",
    "mark_retired",
    "register_new_ids",
    "clear_customer_ids",
    "store_customer_ids",
    "clear_record_customer_ids",
    "store_record_customer_ids",
)
_TEMP_TABLES = ("_clusters", *(f"_{name}" for name in _STEPS))


@dataclass(frozen=True)
class StableIdSummary:
    """What one assignment run did."""

    run_at: datetime
    records: int
    customers: int
    kept: int
    created: int
    merged: int
    split: int
    retired: int


def ensure_state_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``identity`` schema's persisted state tables when missing (never dropped).

    Their one definition is dbt's ``ensure_identity_state`` macro, which dbt runs before every
    build so that a fresh warehouse has them empty."""
    con.execute(macro("ensure_identity_state"))


def _parameters(sql: str, run_at: datetime) -> dict[str, object] | None:
    """The values the statement binds: DuckDB refuses parameters a statement does not use."""
    values = {
        "run_at": run_at,
        "prefix": ID_PREFIX,
        "digits": ID_HASH_DIGITS,
        "base_length": len(ID_PREFIX) + ID_HASH_DIGITS,
    }
    used = {name: value for name, value in values.items() if f"${name}" in sql}
    return used or None


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _check_clusters(con: duckdb.DuckDBPyConnection) -> None:
    problems = con.execute(statement("identity/sql/stable_ids/check_clusters")).fetchone()
    assert problems is not None
    missing, duplicated, total = problems
    if missing:
        raise ValueError(f"identity.record_clusters: {missing} row(s) without record_uid or key")
    if duplicated:
        raise ValueError(f"identity.record_clusters: {duplicated} duplicated record_uid row(s)")
    if total == 0 and _scalar(con, "select count(*) from identity.customer_ids"):
        raise ValueError(
            "identity.record_clusters is empty while customer ids exist: refusing to retire "
            "every customer (check the resolution step)"
        )


def assign_customer_ids(con: duckdb.DuckDBPyConnection, *, run_at: datetime) -> StableIdSummary:
    """Carry customer ids over from the previous run onto this run's clusters (rules above)."""
    if run_at.tzinfo is None:
        raise ValueError("run_at must be timezone-aware")
    run_at = run_at.astimezone(UTC)
    ensure_state_tables(con)
    con.execute("begin transaction")
    try:
        con.execute(statement("identity/sql/stable_ids/clusters"))
        _check_clusters(con)
        for name in (*_STEPS, *_APPLY):
            sql = statement(f"identity/sql/stable_ids/{name}")
            con.execute(sql, _parameters(sql, run_at))
        counts = con.execute(statement("identity/sql/stable_ids/summary")).fetchone()
        assert counts is not None
        summary = StableIdSummary(run_at, *(int(value) for value in counts))
        con.execute(
            "insert into identity.customer_id_runs values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_at,
                summary.records,
                summary.customers,
                summary.kept,
                summary.created,
                summary.merged,
                summary.split,
                summary.retired,
            ],
        )
        for table in _TEMP_TABLES:
            con.execute(f"drop table if exists {table}")  # names from code, not data
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return summary
