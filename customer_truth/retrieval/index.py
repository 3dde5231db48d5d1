"""The per-release index lookups run against: built once per release, then point queries.

Each release gets an in-memory DuckDB holding ``lookup`` (identifier_lookup's four key columns,
ART-indexed by value and by customer), ``customer_profile`` (indexed by customer) and ``rows``
(customer_id -> the row of its context), so a lookup is a few index probes plus one row fetch,
whatever the world's size. The tables come from one of two places:

- the current release: ``published/analytics.duckdb``, the read-only DuckDB copy the publisher
  swaps in by rename after each release (``publication/analytics.py``), attached read-only and
  used only when its ``release_info`` names the release asked for. Contexts are fetched by
  ``rowid`` (the file is written once, never updated). A rename by the next publication leaves
  this process on its complete old file.
- any other release (``as_of``, or a current release whose DuckDB file is missing or behind):
  the three tables, read once through ``publication.reader`` at that release's versions, held in
  memory, the context as the arrow table read (not copied), fetched by position. At 100k
  persons: 8 s to build, 2.8 GiB peak.

Indexes are cached per (home, publication_id); the cache is emptied whenever
``publication_log`` gets a commit (a new release or an erasure purge: an index built before a
purge must not keep answering with the erased person). Every query binds its values.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from customer_truth.publication.analytics import ANALYTICS_FILE
from customer_truth.publication.log import log_path
from customer_truth.publication.reader import Release, read_table, releases
from customer_truth.publication.store import published_root
from customer_truth.settings import Settings
from customer_truth.statements import statement

# the published tables a lookup reads
LOOKUP_TABLE = "identifier_lookup"
PROFILE_TABLE = "customer_profile"
CONTEXT_TABLE = "customer_context"
_CACHED_INDEXES = 4  # the current release and a few as-of ones
SQL = "retrieval/sql/index"  # customer_truth.statements

Home = Path | str | Settings


def home_dir(home: Home) -> Path:
    return home.home if isinstance(home, Settings) else Path(home)


def _placeholders(values: Sequence[object]) -> str:
    """One ``?`` per value (rendered into a statement from the count; the values are bound)."""
    return ", ".join("?" for _ in values)


@dataclass
class ReleaseIndex:
    release: Release
    con: duckdb.DuckDBPyConnection
    source: str  # "analytics.duckdb" or "delta"
    schema: str  # where customer_profile and customer_context are: "release" or "main"
    columns: dict[str, list[str]] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)  # consumers whose policy fits this release
    # the Delta path's context, kept as the arrow table read (a copy would double the memory)
    arrow: dict[str, pa.Table] = field(default_factory=dict)
    # warm_up(): customer_id -> (profile JSON, context, context_text, identifiers JSON)
    records: dict[str, tuple[str, str | None, str | None, str | None]] | None = None

    @property
    def hot(self) -> bool:
        return self.records is not None

    def warm_up(self) -> None:
        """Hold every customer's whole record in a dict: the profile as JSON, the context and
        its brief, and the customer's identifiers as JSON. A server's read of one customer by
        id is then a dict probe, where the profile's ~90 columns and the context's row group
        cost ~10 ms across four DuckDB queries at 100k persons. About 1 GiB at that size (the
        context text, which otherwise stays in the file); only a long-lived server pays it, a
        one-off lookup does not call this. Built set-wise by DuckDB, handed over as columns."""
        if self.records is not None or CONTEXT_TABLE in self.arrow:
            return  # the Delta path's context is an arrow table, already in memory
        con = self.con.cursor()
        try:
            # schema comes from code ("release" or "main"), never from data
            table = con.sql(
                statement(f"{SQL}/customer_records", schema=self.schema)
            ).to_arrow_table()
        finally:
            con.close()
        columns = [table.column(name).to_pylist() for name in table.column_names]
        del table
        self.records = dict(zip(columns[0], zip(*columns[1:], strict=True), strict=True))

    def customer_record(self, customer_id: str) -> dict[str, Any] | None:
        """One customer's whole record (``warm_up``): ``profile`` (every column), ``context``
        (the row's context and context_text) and ``identifiers``; None when the release has no
        such customer."""
        found = (self.records or {}).get(customer_id)
        if found is None:
            return None
        profile, context, context_text, identifiers = found
        return {
            "profile": json.loads(profile),
            "context": None
            if context is None
            else {"customer_id": customer_id, "context": context, "context_text": context_text},
            "identifiers": json.loads(identifiers or "[]"),
        }

    def _rows(self, query: str, parameters: list[object]) -> list[dict[str, Any]]:
        # a cursor per query: lookups from several threads share the index
        cursor = self.con.cursor()
        try:
            result = cursor.execute(query, parameters)
            names = [d[0] for d in result.description or []]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        finally:
            cursor.close()

    def resolve(self, values: Sequence[str], customer_id: str | None) -> list[dict[str, Any]]:
        """identifier_lookup rows whose value is one of ``values`` (any type), and the customer
        ``customer_id`` itself when it exists (as type ``customer_id``): one query."""
        if not values and customer_id is None:
            return []
        return self._rows(
            statement(f"{SQL}/resolve", placeholders=_placeholders(values)),
            [*values, customer_id],
        )

    def query(self, query: str, parameters: list[object]) -> list[dict[str, Any]]:
        """Rows of ``query`` (built by code, values bound) on this index's connection."""
        return self._rows(query, parameters)

    def identifiers_of(self, customer_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Every identifier of these customers (what pass 3 of the policy masks)."""
        if not customer_ids:
            return []
        return self._rows(
            statement(f"{SQL}/identifiers_of", placeholders=_placeholders(customer_ids)),
            list(customer_ids),
        )

    def profiles(self, customer_ids: Sequence[str], columns: Sequence[str]) -> list[dict[str, Any]]:
        """The profile rows (only ``columns``, names from the release's schema)."""
        if not customer_ids:
            return []
        selected = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        rows = self._rows(
            statement(
                f"{SQL}/profiles", columns=selected, placeholders=_placeholders(customer_ids)
            ),
            list(customer_ids),
        )
        return [json.loads(row["row"]) for row in rows]

    def context(self, customer_id: str) -> dict[str, Any] | None:
        rows = self._rows(statement(f"{SQL}/context_row"), [customer_id])
        if not rows or rows[0]["context_row"] is None:
            return None
        row = rows[0]["context_row"]
        if CONTEXT_TABLE in self.arrow:
            # the Delta path: the row's position in the arrow table read (a slice copies nothing)
            data = self.arrow[CONTEXT_TABLE].select(["customer_id", "context", "context_text"])
            return data.slice(row, 1).to_pylist()[0]
        found = self._rows(statement(f"{SQL}/context", schema=self.schema), [row])
        return found[0] if found else None


def _build_keys(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """The in-memory ``lookup``, ``customer_profile`` and ``rows`` tables, ART-indexed.

    The profile is copied into memory (~150 MB for 150k customers): a fetch by rowid from the
    file decompresses a whole row group of each of its ~90 columns (10 ms at 100k persons), an
    indexed in-memory row costs 1 ms. The context, three columns, stays where it is.
    ``schema`` is "release" (the attached file) or "main" (the Delta path's arrow tables).
    """
    for name in ("lookup", "lookup_by_value", "lookup_by_customer"):
        con.execute(statement(f"{SQL}/{name}", schema=schema))
    if schema != "main":  # the Delta path copied its profile already
        con.execute(statement(f"{SQL}/profile", schema=schema))
    for name in ("profile_by_customer", "rows", "rows_by_customer"):
        con.execute(statement(f"{SQL}/{name}", schema=schema))


def _open_analytics(root: Path, release: Release) -> ReleaseIndex | None:
    path = root / ANALYTICS_FILE
    if not path.is_file():
        return None
    con = duckdb.connect()
    try:
        con.execute("attach ? as release (read_only)", [str(path)])
    except duckdb.Error:
        con.close()
        return None  # being replaced or unreadable: the Delta tables still are
    held = con.execute("select publication_id from release.release_info").fetchall()
    present = con.execute(statement(f"{SQL}/release_tables")).fetchall()
    # keyed as a release names its tables: `customer_profile`, `marts/fct_issue_journeys`
    columns = {
        (name if schema == "main" else f"{schema}/{name}"): list(cols)
        for schema, name, cols in present
        if name != "release_info"
    }
    if held != [(release.publication_id,)] or not {
        LOOKUP_TABLE,
        PROFILE_TABLE,
        CONTEXT_TABLE,
    } <= set(columns):
        con.close()
        return None
    _build_keys(con, "release")
    con.execute("set TimeZone = 'UTC'")  # times as JSON text (profiles) read as UTC
    con.execute("set threads = 1")  # point queries: one thread, no scheduling overhead
    return ReleaseIndex(release, con, ANALYTICS_FILE, "release", columns)


def _load_delta(home: Home, release: Release) -> ReleaseIndex:
    con = duckdb.connect()
    columns: dict[str, list[str]] = {}
    tables = {}
    for name in (LOOKUP_TABLE, PROFILE_TABLE, CONTEXT_TABLE):
        tables[name] = read_table(home, name, release=release)
        columns[name] = tables[name].column_names  # the whole schema, for the policy check
        if name == CONTEXT_TABLE:
            positions = pa.array(np.arange(tables[name].num_rows, dtype=np.int64))
            tables[name] = tables[name].append_column("context_row", positions)
        # registered, not copied: lookup's key columns and the profile are copied (indexed) by
        # _build_keys, the context stays this arrow table (a copy would double the memory)
        con.register(name, tables[name])
    con.execute(statement(f"{SQL}/profile_copy"))
    con.unregister(PROFILE_TABLE)
    con.execute(statement(f"{SQL}/profile_copy_renamed"))
    _build_keys(con, "main")
    con.unregister(LOOKUP_TABLE)
    con.unregister(CONTEXT_TABLE)
    con.execute("set TimeZone = 'UTC'")
    con.execute("set threads = 1")
    return ReleaseIndex(
        release, con, "delta", "main", columns, arrow={CONTEXT_TABLE: tables[CONTEXT_TABLE]}
    )


def open_analytics_index(home: Home, release: Release) -> ReleaseIndex | None:
    """A new, uncached index of ``release`` over ``published/analytics.duckdb``; None while the
    file does not hold that release yet (the publisher swaps it in right after the release's
    log commit), so a server can wait for it instead of loading the Delta tables."""
    return _open_analytics(published_root(home_dir(home)), release)


def publication_log_stamp(home: Home) -> tuple[int, int]:
    """Changes with every publication_log commit (a release, a block, a purge)."""
    return _log_stamp(published_root(home_dir(home)))


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.indexes: OrderedDict[tuple[Path, str], ReleaseIndex] = OrderedDict()
        self.releases: dict[Path, tuple[tuple[int, int], list[Release]]] = {}


_CACHE = _Cache()


def _log_stamp(root: Path) -> tuple[int, int]:
    """Changes with every publication_log commit: each adds a file to its _delta_log (the
    count catches two commits within one tick of the directory's coarse mtime)."""
    folder = log_path(root) / "_delta_log"
    try:
        return (os.stat(folder).st_mtime_ns, len(os.listdir(folder)))
    except FileNotFoundError:
        return (0, 0)


def known_releases(home: Home) -> list[Release]:
    """``reader.releases``, re-read only when publication_log changed since the last call."""
    root = published_root(home_dir(home))
    stamp = _log_stamp(root)
    with _CACHE.lock:
        cached = _CACHE.releases.get(root)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    found = releases(home)
    with _CACHE.lock:
        previous = _CACHE.releases.get(root)
        if previous is not None and previous[0] != stamp:
            # a new release or a purge: no index built before it may answer again
            # (dropped, not closed: a lookup in another thread may still hold it)
            for key in [k for k in _CACHE.indexes if k[0] == root]:
                del _CACHE.indexes[key]
        _CACHE.releases[root] = (stamp, found)
    return found


def release_index(home: Home, release: Release, *, current: bool) -> ReleaseIndex:
    """The cached index of ``release``, opened on first use."""
    root = published_root(home_dir(home))
    key = (root, release.publication_id)
    with _CACHE.lock:
        index = _CACHE.indexes.get(key)
        if index is not None:
            _CACHE.indexes.move_to_end(key)
            return index
        index = (_open_analytics(root, release) if current else None) or _load_delta(home, release)
        _CACHE.indexes[key] = index
        while len(_CACHE.indexes) > _CACHED_INDEXES:
            _CACHE.indexes.popitem(last=False)
        return index


def clear_cache() -> None:
    with _CACHE.lock:
        _CACHE.indexes.clear()
        _CACHE.releases.clear()
