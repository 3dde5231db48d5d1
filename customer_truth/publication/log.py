"""``published/publication_log``: one row per publication attempt, and the release pointer.

A release is the ``published`` row of this log: it names, per table, the Delta version that
belongs to it (``table_versions``). The row is written by one Delta commit after every table's
new version is committed, so the commit of this row is the instant a release becomes current;
versions written by an attempt that never got its row are never read by anyone who pins versions
from here. A ``blocked`` row records a failed gate: ``published_at`` null, nothing pointed to.
An ``expired`` row is a release past retention (``retention.py``).

Maps and lists are JSON text so any engine reads them without nested types. The log never holds
an identifier: erasures appear only as counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from customer_truth.publication.store import NO_STATISTICS

STATUS_PUBLISHED = "published"
STATUS_BLOCKED = "blocked"
# a release older than the newest Settings.keep_releases: its row stays (what was published,
# when, its counts and gate results), its table versions are no longer readable
STATUS_EXPIRED = "expired"

SCHEMA = pa.schema(
    [
        pa.field("publication_id", pa.string(), nullable=False),
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        pa.field("status", pa.string(), nullable=False),
        pa.field("landing_batches", pa.string()),  # JSON list of "system/batch_id"
        pa.field("code_version", pa.string()),
        pa.field("row_counts", pa.string()),  # JSON {table: rows}
        pa.field("table_versions", pa.string()),  # JSON {table: delta version}
        pa.field("gate_results", pa.string()),  # JSON list of suite results
        pa.field("failed_expectations", pa.string()),  # JSON list, the reason of a block
        pa.field("erasures_purged", pa.int64()),  # erased entries newly purged from history
        pa.field("erased_total", pa.int64()),  # erased entries purged so far, cumulative
    ]
)


@dataclass
class LogEntry:
    publication_id: str
    started_at: datetime
    status: str
    published_at: datetime | None = None
    landing_batches: list[str] = field(default_factory=list)
    code_version: str = ""
    row_counts: dict[str, int] = field(default_factory=dict)
    table_versions: dict[str, int] = field(default_factory=dict)
    gate_results: list[dict[str, Any]] = field(default_factory=list)
    failed_expectations: list[dict[str, Any]] = field(default_factory=list)
    erasures_purged: int = 0
    erased_total: int = 0

    def to_arrow(self) -> pa.Table:
        row = {
            "publication_id": self.publication_id,
            "started_at": self.started_at.astimezone(UTC),
            "published_at": self.published_at.astimezone(UTC) if self.published_at else None,
            "status": self.status,
            "landing_batches": json.dumps(self.landing_batches),
            "code_version": self.code_version,
            "row_counts": json.dumps(self.row_counts, sort_keys=True),
            "table_versions": json.dumps(self.table_versions, sort_keys=True),
            "gate_results": json.dumps(self.gate_results, sort_keys=True, default=str),
            "failed_expectations": json.dumps(
                self.failed_expectations, sort_keys=True, default=str
            ),
            "erasures_purged": self.erasures_purged,
            "erased_total": self.erased_total,
        }
        return pa.Table.from_pylist([row], schema=SCHEMA)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> LogEntry:
        return cls(
            publication_id=row["publication_id"],
            started_at=row["started_at"],
            status=row["status"],
            published_at=row["published_at"],
            landing_batches=json.loads(row["landing_batches"] or "[]"),
            code_version=row["code_version"] or "",
            row_counts=json.loads(row["row_counts"] or "{}"),
            table_versions=json.loads(row["table_versions"] or "{}"),
            gate_results=json.loads(row["gate_results"] or "[]"),
            failed_expectations=json.loads(row["failed_expectations"] or "[]"),
            erasures_purged=row["erasures_purged"] or 0,
            erased_total=row["erased_total"] or 0,
        )


def log_path(root: Path) -> Path:
    return root / "publication_log"


def write_entry(root: Path, entry: LogEntry) -> None:
    """Insert the attempt's row, or replace it (a gate writes its block as the checks finish)."""
    path = log_path(root)
    data = entry.to_arrow()
    if not (path / "_delta_log").is_dir():
        root.mkdir(parents=True, exist_ok=True)
        write_deltalake(str(path), data, mode="append", configuration=NO_STATISTICS)
        return
    (
        DeltaTable(str(path))
        .merge(
            data,
            predicate="target.publication_id = source.publication_id",
            source_alias="source",
            target_alias="target",
        )
        .when_matched_update_all()
        .when_not_matched_insert_all()
        .execute()
    )


def read_entries(root: Path) -> list[LogEntry]:
    """Every attempt, oldest first."""
    path = log_path(root)
    if not (path / "_delta_log").is_dir():
        return []
    rows = DeltaTable(str(path)).to_pyarrow_table().to_pylist()
    entries = [LogEntry.from_row(row) for row in rows]
    return sorted(entries, key=lambda e: (e.published_at or e.started_at, e.started_at))


def find_entry(root: Path, publication_id: str) -> LogEntry | None:
    for entry in read_entries(root):
        if entry.publication_id == publication_id:
            return entry
    return None


def now() -> datetime:
    return datetime.now(UTC)
