"""Write-audit-publish: the candidate tables become one release, or nothing does.

1. Open: under the warehouse lock (held to the end), find every candidate relation of the
   registry and read the erased set and the batches the candidates were built from
   (``candidate_batches.py``; a run holds the run lock throughout, so nothing is loaded or
   rebuilt between its gate and this step).
2. Purge: when erasures arrived since the last purge, rewrite the published history without
   those persons (``erasure.purge_history``) before anything new is written.
3. Write (audit): commit each table's new Delta version, streamed from the warehouse a batch
   of rows at a time (no table is whole in memory). Readers do not see these versions yet:
   they read the versions named by the current release.
4. Publish: one Delta commit of the ``published`` row in ``publication_log``, naming every
   table's new version. That commit is the switch from the old release to the new one.
5. Expire the releases beyond the newest ``keep_releases`` (``retention.py``).
6. Sweep the erased from the warehouse, close it, then rebuild ``analytics.duckdb`` from the new
   release and swap it in by rename (after the warehouse is closed: two DuckDB buffer pools in
   one process would each take the whole memory budget).

A blocked gate writes no release, but it never holds back an erasure: ``record_blocked`` given
the erased set purges the current release and its history of every person erased since the last
purge (step 2 alone), rebuilds ``analytics.duckdb`` from the purged release, and records the
purge on the ``blocked`` row. The erased person disappears from what consumers read although
the release stays the same.

A run killed anywhere before step 4 leaves orphan versions that no release names (and, at worst,
an unreferenced generation directory, removed by the next run); the previous release stays
current, and the next run restores each table's released version before anything else
(``recovery.py``), so a direct Delta reader of the latest version never keeps reading unreleased
data. Killed after step 4, the release is complete and the next run rebuilds the DuckDB file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeAlias

import duckdb
import pyarrow as pa

from customer_truth.code_version import code_version
from customer_truth.privacy.warehouse_erasure import sweep_erased
from customer_truth.privacy.warehouse_purge import purge_warehouse_if_due
from customer_truth.publication.analytics import build_analytics_file
from customer_truth.publication.candidate_batches import candidate_batches
from customer_truth.publication.erasure import (
    ErasedSet,
    purge_history,
    read_erased,
    stream_without_erased,
)
from customer_truth.publication.log import (
    STATUS_BLOCKED,
    STATUS_PUBLISHED,
    LogEntry,
    find_entry,
    now,
    read_entries,
    write_entry,
)
from customer_truth.publication.reader import releases
from customer_truth.publication.recovery import restore_released_versions
from customer_truth.publication.registry import PUBLISHED_TABLES, PublishedTable
from customer_truth.publication.retention import expire_releases
from customer_truth.publication.store import (
    append_version,
    publisher_lock,
    remove_orphans,
)
from customer_truth.settings import Settings
from customer_truth.warehouse import memory_lent, open_warehouse

# rows per arrow batch streamed from the warehouse into a Delta table
STREAM_BATCH_ROWS = 16_384

# a candidate table: in memory (tests, small callers), or a stream opened when its turn comes
CandidateSource: TypeAlias = pa.Table | Callable[[], pa.RecordBatchReader]


@dataclass(frozen=True)
class Candidates:
    """What one publication would write: each table's rows, the erased set, the batches."""

    tables: dict[str, CandidateSource]
    sources: dict[str, str]  # table key -> the relation it was read from
    missing: list[str]  # registry tables with no relation in this warehouse
    erased: ErasedSet
    landing_batches: list[str]


def relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(rows[0][0])


def source_relation(con: duckdb.DuckDBPyConnection, table: PublishedTable) -> str | None:
    for relation in (table.relation, table.fallback):
        if relation and relation_exists(con, relation):
            return relation
    return None


def stream_candidates(
    con: duckdb.DuckDBPyConnection, tables: tuple[PublishedTable, ...] = PUBLISHED_TABLES
) -> Candidates:
    """The candidates as streams over ``con``, read one table at a time while it is written: no
    table is ever whole in memory. ``con`` must stay open until the publication is done."""
    streams: dict[str, CandidateSource] = {}
    sources: dict[str, str] = {}
    missing: list[str] = []
    for table in tables:
        relation = source_relation(con, table)
        if relation is None:
            missing.append(table.key)
            continue
        streams[table.key] = partial(_stream, con, relation)
        sources[table.key] = relation
    # the batches recorded when the candidates were built, not those loaded by now
    batches = candidate_batches(con)
    if batches is None:
        batches = loaded_batches(con)
    return Candidates(streams, sources, missing, read_erased(con), batches)


def _stream(con: duckdb.DuckDBPyConnection, relation: str) -> pa.RecordBatchReader:
    # the relation name comes from the registry (code), not from data
    return con.sql(f"select * from {relation}").fetch_record_batch(STREAM_BATCH_ROWS)  # noqa: S608


def loaded_batches(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every landing batch the warehouse holds, as ``system/batch_id``: what a release includes."""
    if not relation_exists(con, "ingest.batch_loads"):
        return []
    rows = con.sql(
        "select system, batch_id from ingest.batch_loads order by system, batch_id"
    ).fetchall()
    return [f"{system}/{batch_id}" for system, batch_id in rows]


def _write_table(
    root: Path,
    table: PublishedTable,
    source: CandidateSource,
    erased: ErasedSet,
    publication_id: str,
) -> tuple[int, int]:
    """Commit one table's new version batch by batch; returns (Delta version, rows written)."""
    reader = source() if callable(source) else source.to_reader()
    reader = stream_without_erased(reader, table, erased, STREAM_BATCH_ROWS)
    schema = stamp(_normalise_types(reader.schema.empty_table()), publication_id).schema
    written = 0

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal written
        for batch in reader:
            data = stamp(_normalise_types(pa.Table.from_batches([batch])), publication_id)
            written += data.num_rows
            yield from data.to_batches()

    version = append_version(root, table, pa.RecordBatchReader.from_batches(schema, batches()))
    return version, written


def stamp(data: pa.Table, publication_id: str) -> pa.Table:
    """Every published row names its release (readers can prove they never mixed two)."""
    if "publication_id" in data.column_names:
        data = data.drop_columns(["publication_id"])
    return data.append_column(
        "publication_id", pa.array([publication_id] * data.num_rows, pa.string())
    )


def _normalise_types(data: pa.Table) -> pa.Table:
    """Types every Delta reader understands: UTC timestamps, plain strings."""
    fields = []
    for field in data.schema:
        kind = field.type
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            kind = pa.timestamp("us", tz="UTC")
        elif pa.types.is_timestamp(kind):
            kind = pa.timestamp("us")
        elif pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            kind = pa.string()
        fields.append(pa.field(field.name, kind))
    return data.cast(pa.schema(fields))


def record_blocked(
    settings: Settings,
    publication_id: str,
    started_at: datetime,
    gate_results: list[dict[str, Any]],
    landing_batches: list[str] | None = None,
    erased: ErasedSet | None = None,
    *,
    tables: tuple[PublishedTable, ...] = PUBLISHED_TABLES,
) -> LogEntry:
    """Record (or update) the block of this attempt; no new version of any table is written.

    ``landing_batches``: what the blocked release would have included, so the log says which
    delivery the gate stopped. ``erased``: the erased set as it stands; the persons erased since
    the last purge are purged from the current release and its history now (a blocked gate
    never holds back an erasure). A purge recorded by an earlier call for the same attempt is
    kept when the block is rewritten."""
    failed = [
        {"suite": r["suite"], "asset": r.get("asset"), **expectation}
        for r in gate_results
        if not r["success"]
        for expectation in r.get("failed_expectations", [])
    ]
    root = settings.published
    with publisher_lock(root):
        earlier = find_entry(root, publication_id)
        purged = earlier.erasures_purged if earlier else 0
        erased_total = earlier.erased_total if earlier else 0
        if erased is not None:
            newly, erased_total = _purge_erased(settings, tables, erased)
            if newly:
                # a version no release names (a killed run's, restored) was emptied by the
                # purge: the latest version is the released one again, then the file analysts
                # and lookups open is rebuilt without the person
                restore_released_versions(settings, tables)
                build_analytics_file(settings)
            purged += newly
        entry = LogEntry(
            publication_id=publication_id,
            started_at=started_at,
            status=STATUS_BLOCKED,
            landing_batches=landing_batches or [],
            code_version=code_version(),
            gate_results=gate_results,
            failed_expectations=failed,
            erasures_purged=purged,
            erased_total=erased_total,
        )
        # the log commit comes last: it empties every reader's cached index (retrieval)
        write_entry(root, entry)
    return entry


def _purge_erased(
    settings: Settings, tables: tuple[PublishedTable, ...], erased: ErasedSet
) -> tuple[int, int]:
    """Purge every kept version of ``tables`` of the persons erased since the last purge; returns
    (entries newly purged, entries purged so far). The caller holds the publisher lock."""
    root = settings.published
    erased_before = max((e.erased_total for e in read_entries(root)), default=0)
    if erased.count <= erased_before:
        return 0, erased_before
    released: dict[str, set[int]] = {}
    for release in releases(settings):
        for key, table_version in release.table_versions.items():
            released.setdefault(key, set()).add(table_version)
    purge_history(root, tables, erased, released)
    return erased.count - erased_before, erased.count


def publish_release(
    settings: Settings,
    publication_id: str,
    started_at: datetime,
    gate_results: list[dict[str, Any]],
    *,
    tables: tuple[PublishedTable, ...] = PUBLISHED_TABLES,
    candidates: Candidates | None = None,
    after_table_written: Callable[[str], None] | None = None,
) -> LogEntry:
    """Publish the candidates as one release (see the module docstring)."""
    if any(not r["success"] for r in gate_results):
        return record_blocked(settings, publication_id, started_at, gate_results)
    if candidates is not None:
        entry = _publish(settings, publication_id, started_at, gate_results, tables, candidates,
                         after_table_written)  # fmt: skip
    else:
        # the warehouse stays open (and locked) while its candidates stream into the Delta
        # tables; it only scans them out meanwhile, so it lends its budget: its cache would
        # otherwise keep every table it read (a 1M-person world's release: 7 GiB held beside
        # the writes, 3.0 -> 8.9 GiB while customer_context streamed, 2.5 GiB lent)
        with open_warehouse(settings) as con:
            with memory_lent(con, settings):
                entry = _publish(settings, publication_id, started_at, gate_results, tables,
                                 stream_candidates(con, tables), after_table_written)  # fmt: skip
            # the release no longer holds anyone erased; now the warehouse must not either
            sweep_erased(con, settings.home)
        purge_warehouse_if_due(settings)
    # once the warehouse is closed: its buffer pool and the analytics file's own DuckDB never
    # hold memory at once (one memory budget). Until the rename, analysts keep the previous
    # file, as they did while the tables were written.
    with publisher_lock(settings.published):
        build_analytics_file(settings)
    return entry


def _publish(
    settings: Settings,
    publication_id: str,
    started_at: datetime,
    gate_results: list[dict[str, Any]],
    tables: tuple[PublishedTable, ...],
    candidates: Candidates,
    after_table_written: Callable[[str], None] | None,
) -> LogEntry:
    root = settings.published
    with publisher_lock(root):
        remove_orphans(root, tables)
        # what a killed attempt left as the latest versions goes before anything is written
        restore_released_versions(settings, tables)
        purged, erased_total = _purge_erased(settings, tables, candidates.erased)

        versions: dict[str, int] = {}
        counts: dict[str, int] = {}
        for table in tables:
            if table.key not in candidates.tables:
                continue
            versions[table.key], counts[table.key] = _write_table(
                root, table, candidates.tables[table.key], candidates.erased, publication_id
            )
            if after_table_written is not None:
                after_table_written(table.key)

        entry = LogEntry(
            publication_id=publication_id,
            started_at=started_at,
            status=STATUS_PUBLISHED,
            published_at=now(),
            landing_batches=candidates.landing_batches,
            code_version=code_version(),
            row_counts=counts,
            table_versions=versions,
            gate_results=gate_results,
            erasures_purged=purged,
            erased_total=erased_total,
        )
        write_entry(root, entry)
        expire_releases(settings, tables)
    return entry


__all__ = [
    "STATUS_BLOCKED",
    "STATUS_PUBLISHED",
    "Candidates",
    "stream_candidates",
    "publish_release",
    "record_blocked",
]
