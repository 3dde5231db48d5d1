"""Erasure reaches the warehouse: the sweep that removes an erased person from every table.

What the sweep removes, what it keeps, and why: the comment below the imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from customer_truth.interaction_log import forget_customers as forget_interactions
from customer_truth.retrieval.access_log import forget_customers
from customer_truth.statements import PACKAGE_DIR, statement
from customer_truth.warehouse import ensure_erasure_state, sql_statements

# The publish models leave an erased person out of every release, and the publisher purges the
# published history (``publication/erasure.py``). This sweep does the same to the warehouse file,
# after each publication and after a blocked gate's erasure path:
#
# 1. raw: the person's records (``privacy.erased_records``: identity's records of an erased
#    customer, the events attributed to one, their CRM Individual account) are deleted, and their
#    record uids remembered by hash (``privacy.erased_source_records``) so that ingestion
#    suppresses a later delivery of the same record. The erasure request's own identifier is
#    removed from its payload and its staging row (the request, its time and type stay:
#    ``erasure_log`` counts it), as a rebuild from the redacted payload would have it.
# 2. Every row built from those landing lines (any table with ``source_file`` and
#    ``line_number``: staging, incremental ones included) is deleted by that lineage.
# 3. Every row of any other table (intermediate, marts, identity state, snapshots, publish
#    candidates) that holds one of the person's values is deleted: an erased customer id, a record
#    uid of theirs, or a personal email or phone of theirs. Quarantined lines holding one go too.
# 4. The access log keeps its lines, but an erased customer id in them becomes ``erased``; the AI
#    agents' interaction log keeps what the agent did, without the customer id or the summary.
# 5. ``privacy.warehouse_erasures`` records how many rows went from which relation, with the
#    request ids and never an identifier.
# 6. Step 3 deleted golden rows by value, some of them other customers' (a shared email): the
#    golden records' kept state of every customer who lost one is marked spent, so the next run
#    rebuilds their golden records (dbt_project/macros/golden_incremental.sql).
#
# Kept on purpose: ``privacy.erasure_suppressed_identifiers`` (hashes, and our own customer ids,
# which after the sweep lead to nothing but the request id) and ``publish.erased_customers``, which
# the publisher needs to keep purging published history. Tables rebuilt by the next run would lose
# the person anyway; the sweep makes the file clean now. Deleted rows leave DuckDB's pages only when
# they are reused or the file is rewritten (README "Guarantees").
# Steps 1-3, 5 and 6 are one transaction: a kill leaves the warehouse as it was, and the next
# publication or blocked gate sweeps again (the watermark is the last sweep's time).

SQL = "privacy/sql"  # statements: customer_truth.statements; scripts: warehouse.sql_statements
# the golden tables rebuilt by customer (their rows kept between runs), and their kept state
GOLDEN_INCREMENTAL = {
    ("intermediate", "int_customer_attribute_candidates"),
    ("intermediate", "int_customer_attributes_survived"),
    ("marts", "fct_customer_attribute_conflicts"),
    ("marts", "dim_customer_profile"),
}
GOLDEN_STATE = ("intermediate", "int_customer_golden_record_states")

# swept by value or lineage; seeds hold no person and raw goes by record key
SWEPT_SCHEMAS = ("staging", "intermediate", "marts", "identity", "history", "publish", "privacy")
# what erasure itself keeps (hashes, counts) and the publisher needs
KEPT = {
    ("privacy", "erasure_suppressed_identifiers"),
    ("privacy", "erased_source_records"),
    ("privacy", "warehouse_erasures"),
    ("publish", "erased_customers"),
    ("publish", "erasure_log"),
}
ERASURE_REQUESTS = "privacy__erasure_requests"
AGENT_INTERACTIONS = "ai_agent__interactions"
# the requests' staging model keeps each request, without its identifier, as a rebuild from the
# redacted raw row would
STAGED_REQUESTS = ("staging", "stg_privacy__erasure_requests")


@dataclass(frozen=True)
class SweepResult:
    requests: int
    customer_ids: int
    rows_removed: dict[str, int] = field(default_factory=dict)
    access_log_lines: int = 0

    @property
    def total_removed(self) -> int:
        return sum(self.rows_removed.values())


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(con.execute(statement(f"{SQL}/relation_exists"), [schema, name]).fetchall()[0][0])


def _quoted(*parts: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _swept_tables(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], dict[str, str]]:
    """Every base table of the swept schemas, with its columns and their types."""
    rows = con.execute(
        statement(f"{SQL}/swept_tables"), {"schemas": list(SWEPT_SCHEMAS)}
    ).fetchall()
    tables: dict[tuple[str, str], dict[str, str]] = {}
    for schema, table, column, data_type in rows:
        if (schema, table) not in KEPT and (schema, table) != STAGED_REQUESTS:
            tables.setdefault((schema, table), {})[column] = data_type
    return tables


def _delete_swept_rows(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: dict[str, str],
    lost: set[str],
) -> int:
    """Delete the rows of a table that name an erased person (``sql/swept_rows.sql``); column
    names from the catalog, quoted; values joined from the sweep's temp tables. The customers
    whose golden rows went are added to ``lost``."""
    lineage = "source_file" in columns and "line_number" in columns
    text_columns = tuple(_quoted(c) for c, data_type in columns.items() if data_type == "VARCHAR")
    list_columns = tuple(_quoted(c) for c, data_type in columns.items() if data_type == "VARCHAR[]")
    if not (lineage or text_columns or list_columns):
        return 0
    golden = (schema, table) in GOLDEN_INCREMENTAL
    sql = statement(
        f"{SQL}/swept_rows",
        relation=_quoted(schema, table),
        lineage=lineage,
        text_columns=text_columns,
        list_columns=list_columns,
        # rebuilt by every run: the records' bare ids may name them too
        values="_sweep_values" if lineage else "_sweep_derived_values",
        returning=golden,
    )
    rows = con.execute(sql).fetchall()
    if not golden:
        return int(rows[0][0])
    lost.update(str(row[0]) for row in rows)
    return len(rows)


def _count(con: duckdb.DuckDBPyConnection, name: str, label: str, removed: dict[str, int]) -> None:
    """Run ``sql/<name>.sql`` (an update or delete); record the rows it changed under ``label``."""
    count = int(con.execute(statement(f"{SQL}/{name}")).fetchall()[0][0])
    if count:
        removed[label] = count


def _sweep_raw(con: duckdb.DuckDBPyConnection, removed: dict[str, int]) -> None:
    raw_tables = [row[0] for row in con.execute(statement(f"{SQL}/raw_tables")).fetchall()]
    for table in raw_tables:
        relation = _quoted("raw", table)
        if table == ERASURE_REQUESTS:
            # the request stays (erasure_log counts it); the identifier it named does not
            _count(con, "redact_requests", f"raw.{table} (identifier removed)", removed)
            label = f"{'.'.join(STAGED_REQUESTS)} (identifier removed)"
            _count(con, "redact_staged_requests", label, removed)
            continue
        if table == AGENT_INTERACTIONS:
            _count(con, "forget_agent_interactions", f"raw.{table}", removed)
            continue
        system, _, entity = table.partition("__")
        con.execute(statement(f"{SQL}/raw_lines", relation=relation), [system, entity])
        records = statement(f"{SQL}/raw_records", relation=relation)
        count = int(con.execute(records, [system, entity]).fetchall()[0][0])
        if count:
            removed[f"raw.{table}"] = count


def sweep_erased(con: duckdb.DuckDBPyConnection, home: Path) -> SweepResult | None:
    """Remove every person erased since the last sweep from the warehouse and the access log.
    None when there is nothing to sweep (or the erasure models were never built)."""
    ensure_erasure_state(con)
    if not (
        _relation_exists(con, "privacy", "erased_records")
        and _relation_exists(con, "privacy", "erasure_suppressed_identifiers")
        and _relation_exists(con, "marts", "bdg_identifier_lookup")
        and _relation_exists(con, "staging", "stg_privacy__erasure_requests")
        and _relation_exists(con, "intermediate", "int_journeys__subject_references")
    ):
        return None
    since = con.execute(statement(f"{SQL}/last_sweep")).fetchall()[0][0]
    con.execute("begin transaction")
    try:
        for scope_statement in sql_statements(PACKAGE_DIR / SQL / "erasure_scope.sql"):
            con.execute(scope_statement, {"since": since} if "$since" in scope_statement else None)
        scope = con.execute(statement(f"{SQL}/scope_counts")).fetchall()[0]
        requests, customer_ids, records = scope
        if not (requests or records):
            con.execute("rollback")
            return None
        removed: dict[str, int] = {}
        con.execute(statement(f"{SQL}/remember_erased_records"))
        _sweep_raw(con, removed)
        lost: set[str] = set()
        swept = _swept_tables(con)
        for (schema, table), columns in swept.items():
            count = _delete_swept_rows(con, schema, table, columns, lost)
            if count:
                removed[f"{schema}.{table}"] = count
        if lost and GOLDEN_STATE in swept:
            con.execute(statement(f"{SQL}/forget_golden_state"), {"customer_ids": sorted(lost)})
        _count(con, "sweep_quarantine", "ingest.quarantine", removed)
        request_ids = [row[0] for row in con.execute(statement(f"{SQL}/request_ids")).fetchall()]
        con.executemany(
            statement(f"{SQL}/record_sweep"),
            [[relation, count, request_ids] for relation, count in sorted(removed.items())]
            + [["*", sum(removed.values()), request_ids]],
        )
        # the access log first: were the commit lost, the next sweep rewrites it again
        erased = con.execute(statement(f"{SQL}/erased_customer_ids")).fetchall()
        erased_ids = {row[0] for row in erased}
        lines = forget_customers(home, erased_ids) + forget_interactions(home, erased_ids)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return SweepResult(int(requests), int(customer_ids), removed, lines)
