"""The one way to read published data: every table at the versions of one release.

A release is a ``published`` row of ``publication_log`` (see ``log.py``); it names each table's
Delta version. Reading through a release, never "the latest version of each table", is what keeps
a reader from mixing releases while a publication commits its tables one after another. Nothing
else in the project opens the published Delta tables directly.

    release = current_release(home)                 # or release_as_of(home, when)
    profiles = read_table(home, "customer_profile", release=release)   # pyarrow.Table

``home`` is ``$CUSTOMER_TRUTH_HOME`` (a ``Path``/``str``) or a ``Settings``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
from deltalake import DeltaTable

from customer_truth.publication.log import STATUS_EXPIRED, STATUS_PUBLISHED, read_entries
from customer_truth.publication.registry import published_table
from customer_truth.publication.store import published_root, table_path
from customer_truth.settings import Settings

_READ_ATTEMPTS = 3


class NoReleaseError(LookupError):
    """Nothing has been published yet (or nothing before the time asked for)."""


class ReleaseExpiredError(NoReleaseError):
    """The release current at the time asked for is past retention (``retention.py``)."""


@dataclass(frozen=True)
class Release:
    publication_id: str
    published_at: datetime
    table_versions: dict[str, int]

    @property
    def tables(self) -> list[str]:
        return sorted(self.table_versions)


def _root(home: Path | str | Settings) -> Path:
    if isinstance(home, Settings):
        return home.published
    return published_root(Path(home))


def releases(home: Path | str | Settings) -> list[Release]:
    """Every release ever published, oldest first."""
    found = [
        Release(e.publication_id, e.published_at, e.table_versions)
        for e in read_entries(_root(home))
        if e.status == STATUS_PUBLISHED and e.published_at is not None
    ]
    return sorted(found, key=lambda r: r.published_at)


def current_release(home: Path | str | Settings) -> Release | None:
    """The release readers get now, or None before the first publication."""
    found = releases(home)
    return found[-1] if found else None


def release_as_of(home: Path | str | Settings, when: datetime) -> Release | None:
    """The release that was current at ``when`` (naive times are read as UTC); None before the
    first release; ``ReleaseExpiredError`` when that release is past retention."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    found = [r for r in releases(home) if r.published_at <= when]
    if found:
        return found[-1]
    expired = [
        e
        for e in read_entries(_root(home))
        if e.status == STATUS_EXPIRED and e.published_at is not None and e.published_at <= when
    ]
    if expired:
        latest = max(expired, key=lambda e: e.published_at or when)
        raise ReleaseExpiredError(
            f"the release current at {when.isoformat()} ({latest.publication_id}) has expired: "
            "only the newest releases stay readable (CUSTOMER_TRUTH_KEEP_RELEASES)"
        )
    return None


def read_table(
    home: Path | str | Settings,
    name: str,
    *,
    release: Release | None = None,
    as_of: datetime | None = None,
    columns: list[str] | None = None,
    where: list[tuple[str, str, Any]] | None = None,
) -> pa.Table:
    """One published table as it is in ``release`` (default: the current one, or ``as_of``).

    ``where``: conjunctive filters such as ``[("customer_id", "=", cid)]``, pushed down to the
    Delta scan (file statistics skip files that cannot match), not applied after a full read."""
    if release is None:
        release = release_as_of(home, as_of) if as_of is not None else current_release(home)
    if release is None:
        raise NoReleaseError(f"no release published{f' by {as_of}' if as_of else ''}")
    table = published_table(name)
    if table.key not in release.table_versions:
        raise KeyError(f"release {release.publication_id} has no table {table.key!r}")
    path = table_path(_root(home), table)
    version = release.table_versions[table.key]
    # an erasure purge swaps a table's history for a rewritten one with the same version
    # numbers; a read that opened the old one just then retries on the new one
    for attempt in range(_READ_ATTEMPTS):
        try:
            return DeltaTable(str(path), version=version).to_pyarrow_table(
                columns=columns, filters=where
            )
        except Exception:
            if attempt == _READ_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def table_dataset(home: Path | str | Settings, name: str, release: Release) -> ds.Dataset:
    """One table of ``release`` as a lazily scanned arrow dataset (DuckDB streams it)."""
    table = published_table(name)
    path = table_path(_root(home), table)
    return DeltaTable(str(path), version=release.table_versions[table.key]).to_pyarrow_dataset()


def table_files(home: Path | str | Settings, name: str, release: Release) -> list[str] | None:
    """The Parquet files that are one table of ``release``: what DuckDB's own reader scans, faster
    and in less memory than an arrow dataset. None when the version holds none, or needs more
    than its file list to be read (column mapping, deletion vectors: reader version 2 and up,
    never written here)."""
    table = published_table(name)
    path = table_path(_root(home), table)
    delta = DeltaTable(str(path), version=release.table_versions[table.key])
    protocol = delta.protocol()
    if protocol.min_reader_version > 1 or protocol.reader_features:
        return None
    return delta.file_uris() or None


def read_release(
    home: Path | str | Settings, release: Release | None = None
) -> tuple[Release, dict[str, pa.Table]]:
    """Every table of one release (default: the current one)."""
    release = release or current_release(home)
    if release is None:
        raise NoReleaseError("no release published")
    return release, {key: read_table(home, key, release=release) for key in release.tables}


def connect_release(
    home: Path | str | Settings, release: Release | None = None
) -> tuple[Release, duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection with one view per table of the release
    (``customer_profile``, ``marts__fct_issue_journeys``, ...)."""
    release, tables = read_release(home, release)
    con = duckdb.connect()
    for key, data in tables.items():
        con.register(key.replace("/", "__"), data)
    return release, con
