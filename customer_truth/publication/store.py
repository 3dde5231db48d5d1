"""Where published Delta tables live on disk, and the two ways they change.

Layout under ``$CUSTOMER_TRUTH_HOME/published/``::

    publication_log/                  Delta: one row per attempt, the release pointer (log.py)
    <table>  -> .store/<table>/<gen>  relative symlink to the table's current generation
    marts/<mart> -> ../.store/marts/<mart>/<gen>
    analytics.duckdb                  read-only copy of the current release (analytics.py)
    .store/                           generations of every table
    .publish.lock                     one publisher at a time

A table changes in two ways:
- ``append_version`` commits a new Delta version (a full overwrite: every release is a whole
  snapshot) into the current generation; readers pin versions, so an unreleased version is
  invisible to them.
- ``swap_generation`` replaces the whole history at once (the erasure purge): a new generation is
  built beside the old one, the symlink is switched by ``rename`` (atomic), then the old
  generation is deleted with every file and log entry it held.

Every table is created with ``delta.dataSkippingNumIndexedCols = 0``: no column minimums and
maximums in ``_delta_log`` (they would keep identifiers readable after their rows are gone).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable, WriterProperties, write_deltalake

from customer_truth.publication.registry import PublishedTable

NO_STATISTICS = {"delta.dataSkippingNumIndexedCols": "0"}
# zstd rather than the writer's snappy: a 30k world's timeline 65 -> 39 MB and context documents
# 50 -> 22 MB, written as fast or faster; every engine that reads Delta reads zstd Parquet
COMPRESSION = WriterProperties(compression="ZSTD")
STORE = ".store"


def published_root(home: Path) -> Path:
    return Path(home) / "published"


def table_path(root: Path, table: PublishedTable) -> Path:
    """The path readers open (a symlink to the current generation)."""
    return root.joinpath(*table.path_parts)


def generation_dir(root: Path, table: PublishedTable) -> Path:
    return root.joinpath(STORE, *table.path_parts)


def table_exists(root: Path, table: PublishedTable) -> bool:
    return (table_path(root, table) / "_delta_log").is_dir()


def _point(link: Path, target: Path) -> None:
    """Make ``link`` name ``target`` atomically (relative, so a copied home keeps working)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex}.link")
    os.symlink(os.path.relpath(target, link.parent), temporary)
    os.replace(temporary, link)


def new_generation(root: Path, table: PublishedTable) -> Path:
    target = generation_dir(root, table) / uuid.uuid4().hex
    target.mkdir(parents=True)
    return target


def write_snapshot(location: Path, data: pa.Table | pa.RecordBatchReader, *, create: bool) -> None:
    """One Delta commit holding exactly ``data`` (a table, or a stream of batches)."""
    write_deltalake(
        str(location),
        data,
        mode="overwrite",
        schema_mode="overwrite",
        configuration=NO_STATISTICS if create else None,
        writer_properties=COMPRESSION,
    )


def append_version(root: Path, table: PublishedTable, data: pa.Table) -> int:
    """Commit ``data`` as the table's next version; returns that version."""
    link = table_path(root, table)
    if not table_exists(root, table):
        location = new_generation(root, table)
        write_snapshot(location, data, create=True)
        _point(link, location)
    else:
        write_snapshot(link, data, create=False)
    return DeltaTable(str(link)).version()


def swap_generation(root: Path, table: PublishedTable, replacement: Path) -> None:
    """Point the table at ``replacement`` and delete the generation it replaces."""
    link = table_path(root, table)
    previous = link.resolve() if link.is_symlink() else None
    _point(link, replacement)
    if previous is not None and previous != replacement.resolve():
        shutil.rmtree(previous, ignore_errors=True)


def remove_orphans(root: Path, tables: tuple[PublishedTable, ...]) -> list[Path]:
    """Delete generations no symlink points to and temporary links: what a killed run leaves."""
    removed: list[Path] = []
    for table in tables:
        link = table_path(root, table)
        current = link.resolve() if link.is_symlink() else None
        store = generation_dir(root, table)
        if store.is_dir():
            for generation in store.iterdir():
                if generation.resolve() != current:
                    shutil.rmtree(generation, ignore_errors=True)
                    removed.append(generation)
        if link.parent.is_dir():
            for stale in link.parent.glob(f".{link.name}.*.link"):
                stale.unlink(missing_ok=True)
                removed.append(stale)
    return removed


@contextmanager
def publisher_lock(root: Path) -> Iterator[None]:
    """One publisher (or purge) at a time; readers never take it."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".publish.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
