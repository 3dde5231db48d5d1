"""The landing batches the ``publish`` candidates were built from, recorded when they are built.

``publication_log`` lists the batches whose rows a release holds. Reading ``ingest.batch_loads``
when the release is written would name every batch loaded by then, including one loaded after
the candidates were built (by a run that interleaved, or a run that stopped before dbt), whose
rows the release does not hold. So the dbt step that builds the candidates records, under the
run lock and the warehouse lock, right after the build, the batches that were loaded when it ran
(``dagster_project/transform/assets.py``), and the publisher reads this record.
"""

from __future__ import annotations

import duckdb

SNAPSHOT = "publication.candidate_batches"


def record_candidate_batches(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Replace the record with every batch loaded now; returns them as ``system/batch_id``."""
    con.execute("create schema if not exists publication")
    con.execute(
        "create or replace table publication.candidate_batches "
        "(system varchar not null, batch_id varchar not null, run_id varchar not null, "
        "recorded_at timestamptz not null)"
    )
    if _exists(con, "ingest", "batch_loads"):
        con.execute(
            "insert into publication.candidate_batches "
            "select system, batch_id, ?, now() from ingest.batch_loads",
            [run_id],
        )
    return candidate_batches(con) or []


def candidate_batches(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """The batches the current candidates were built from; None when no build recorded them
    (a warehouse older than the record, or candidates built by hand)."""
    if not _exists(con, "publication", "candidate_batches"):
        return None
    rows = con.sql(
        "select system, batch_id from publication.candidate_batches order by system, batch_id"
    ).fetchall()
    return [f"{system}/{batch_id}" for system, batch_id in rows]


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(rows[0][0])
