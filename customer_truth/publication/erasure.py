"""Erasure: who is erased, the filter that drops their rows, and the purge of published history.

``publish.erased_customers`` (dbt, privacy) lists every ``customer_id`` ever held by an erased
person and/or the sha-256 (hex, of the normalised value) of each of their identifiers
(``identifier_sha256``). A row is theirs when a registry ``customer_id_columns`` value is an
erased id or the hash of an ``identifier_columns`` value is an erased hash.

The purge rewrites history rather than deleting in place: a Delta ``DELETE`` leaves the old files
readable by version until a vacuum, keeps its predicate (the identifier!) in the commit's
``operationParameters``, and the old commits' statistics. Instead each table's history is
rebuilt, version by version, into a fresh generation (``store.swap_generation``): a version some
readable release points to is rewritten without the erased rows, its Parquet files scanned once by
DuckDB (both cores, the erased set registered once) and streamed a batch at a time; a version no
readable release points to (left by a killed run, or of a release past retention) becomes empty,
so every version number, and therefore every release, stays valid. Retention (``retention.py``)
bounds the work: at most ``keep_releases`` versions of each table are rewritten.
The symlink then flips to the new generation and the old one is deleted whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from deltalake import DeltaTable

from customer_truth.publication.registry import ERASED_CUSTOMERS, PublishedTable
from customer_truth.publication.store import (
    new_generation,
    swap_generation,
    table_exists,
    table_path,
    write_snapshot,
)
from customer_truth.warehouse import connect

# rows per batch while a version is rewritten without the erased
PURGE_BATCH_ROWS = 250_000

_EMPTY = pa.table(
    {"customer_id": pa.array([], pa.string()), "identifier_sha256": pa.array([], pa.string())}
)


@dataclass(frozen=True)
class ErasedSet:
    """Erased customer ids and identifier hashes (held in memory only, never logged)."""

    entries: pa.Table  # customer_id, identifier_sha256 (either may be null)

    @property
    def count(self) -> int:
        return self.entries.num_rows

    @classmethod
    def empty(cls) -> ErasedSet:
        return cls(_EMPTY)


def read_erased(con: duckdb.DuckDBPyConnection) -> ErasedSet:
    """The erased set from the warehouse; empty while privacy's model does not exist."""
    schema, name = ERASED_CUSTOMERS.split(".")
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    if not columns:
        return ErasedSet.empty()
    id_col = "customer_id" if "customer_id" in columns else "null"
    hash_col = "identifier_sha256" if "identifier_sha256" in columns else "null"
    # column names are fixed by code above, not taken from data
    entries = con.sql(
        f"select distinct cast({id_col} as varchar) as customer_id, "  # noqa: S608
        f"cast({hash_col} as varchar) as identifier_sha256 from {ERASED_CUSTOMERS}"
    ).arrow()
    return ErasedSet(entries.read_all() if hasattr(entries, "read_all") else entries)


def _erased_condition(table: PublishedTable, columns: list[str]) -> str | None:
    """A SQL condition true for a row of ``table`` (alias ``c``) that belongs to an erased person,
    against a relation ``erased`` holding the erased set; None when no column can tell."""
    present = set(columns)
    # column names come from the registry (code); values are joined, never formatted in
    by_id = [f'c."{col}"' for col in table.customer_id_columns if col in present]
    by_hash = [
        f'sha256(cast(c."{col}" as varchar))' for col in table.identifier_columns if col in present
    ]
    ids = "(select customer_id from erased where customer_id is not null)"
    hashes = "(select identifier_sha256 from erased where identifier_sha256 is not null)"
    tests = [f"coalesce({e} in {ids}, false)" for e in by_id] + [
        f"coalesce({e} in {hashes}, false)" for e in by_hash
    ]
    return " or ".join(tests) if tests else None


def stream_without_erased(
    rows: pa.RecordBatchReader, table: PublishedTable, erased: ErasedSet, batch_rows: int
) -> pa.RecordBatchReader:
    """``rows`` minus every row that belongs to an erased person: one DuckDB query filters the
    stream as it is read (the erased set registered once), in ``rows``' own schema."""
    condition = _erased_condition(table, rows.schema.names) if erased.count else None
    if condition is None:
        return rows
    schema = rows.schema

    def batches() -> Iterator[pa.RecordBatch]:
        # the process's memory budget and spill folder, as every database of the pipeline
        con = connect(":memory:")
        try:
            con.register("candidate", rows)
            con.register("erased", erased.entries)
            # the condition is built from registry columns (code), values are joined
            kept = con.sql(
                f"select c.* from candidate c where not ({condition})"  # noqa: S608
            ).to_arrow_reader(batch_rows)
            for batch in kept:
                yield from pa.Table.from_batches([batch]).cast(schema).to_batches()
        finally:
            con.close()

    return pa.RecordBatchReader.from_batches(schema, batches())


def _kept_rows(
    con: duckdb.DuckDBPyConnection,
    version: DeltaTable,
    schema: pa.Schema,
    table: PublishedTable,
    removed: list[int],
) -> pa.RecordBatchReader:
    """One version's rows without the erased ones, in one scan of its Parquet files by DuckDB
    (``con`` holds the erased set as ``erased``), streamed in the version's own schema."""
    files = version.file_uris()
    if not files:
        return schema.empty_table().to_reader()
    condition = _erased_condition(table, schema.names) or "false"
    total = con.execute("select count(*) from read_parquet(?)", [files]).fetchall()[0][0]
    # the condition is built from registry columns (code); the file list is bound. The reader
    # is consumed before ``con`` runs anything else.
    rows = con.sql(
        f"select c.* from read_parquet(?) c where not ({condition})",  # noqa: S608
        params=[files],
    ).to_arrow_reader(PURGE_BATCH_ROWS)

    def batches() -> Iterator[pa.RecordBatch]:
        kept = 0
        for batch in rows:
            kept += batch.num_rows
            yield from pa.Table.from_batches([batch]).cast(schema).to_batches()
        removed[0] += total - kept

    return pa.RecordBatchReader.from_batches(schema, batches())


def purge_history(
    root: Path,
    tables: tuple[PublishedTable, ...],
    erased: ErasedSet,
    released_versions: dict[str, set[int]],
) -> int:
    """Rewrite every table's history without the erased rows; returns the rows removed."""
    removed = [0]
    con = connect(":memory:")  # the erased set, and the scans of each version's files
    try:
        con.register("erased", erased.entries)
        for table in tables:
            if table_exists(root, table):
                _purge_table(con, root, table, released_versions.get(table.key, set()), removed)
    finally:
        con.close()
    return removed[0]


def _purge_table(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    table: PublishedTable,
    referenced: set[int],
    removed: list[int],
) -> None:
    link = table_path(root, table)
    latest = DeltaTable(str(link)).version()
    location = new_generation(root, table)
    for number in range(latest + 1):
        version = DeltaTable(str(link), version=number)
        schema = version.to_pyarrow_dataset().schema
        if number in referenced:
            kept = _kept_rows(con, version, schema, table, removed)
            write_snapshot(location, kept, create=number == 0)
        else:
            write_snapshot(location, schema.empty_table(), create=number == 0)
    rebuilt = DeltaTable(str(location)).version()
    if rebuilt != latest:
        raise RuntimeError(
            f"purge of {table.key}: rebuilt history ends at version {rebuilt}, not {latest}"
        )
    swap_generation(root, table, location)
