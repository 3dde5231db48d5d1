"""Undo what a killed publication left readable: nothing unreleased stays the latest version.

A publication commits each table's new Delta version before the one ``publication_log`` commit
that makes them a release. Readers of this project read the versions a release names, so a kill
between the two never reaches them. A direct Delta reader (Spark, polars, DuckDB's delta
extension) opens the *latest* version instead, and after such a kill that is a version no release
names. So every run, before it does anything else (``customer-truth run``, and the publisher
before it writes), restores each such table to the version the current release names: Delta's
RESTORE commits a new version holding exactly the released files. It also rebuilds
``analytics.duckdb`` when that file holds another release than the current one (a kill between
the log commit and the file's swap), or the current one as it was before an erasure purge
rewrote its tables (a kill between the purge and the file's rebuild: the file would still serve
the erased persons).
"""

from __future__ import annotations

import json

import duckdb
from deltalake import DeltaTable

from customer_truth.publication.analytics import (
    analytics_path,
    build_analytics_file,
    table_generations,
)
from customer_truth.publication.reader import Release, current_release
from customer_truth.publication.registry import PUBLISHED_TABLES, PublishedTable
from customer_truth.publication.store import publisher_lock, table_exists, table_path
from customer_truth.settings import Settings


def _restored_to(table: DeltaTable, version: int) -> bool:
    """Whether the newest commit already restored ``version`` (nothing to do again)."""
    newest = table.history(1)[0]
    parameters = newest.get("operationParameters") or {}
    return newest.get("operation") == "RESTORE" and str(parameters.get("version")) == str(version)


def _analytics_release(settings: Settings) -> tuple[str | None, dict[str, str]]:
    """The release ``analytics.duckdb`` holds, and the table generations it was built from."""
    path = analytics_path(settings)
    if not path.exists():
        return None, {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.sql("select publication_id, generations from release_info").fetchall()
        return (rows[0][0], json.loads(rows[0][1] or "{}")) if rows else (None, {})
    except duckdb.Error:
        return None, {}  # a file from before release_info or generations, or broken: rebuild
    finally:
        con.close()


def analytics_is_current(settings: Settings, release: Release) -> bool:
    """Whether ``analytics.duckdb`` holds ``release`` as its tables are now: the same release,
    read from the same generations (a purge killed before its rebuild swapped some)."""
    held, generations = _analytics_release(settings)
    return held == release.publication_id and generations == table_generations(
        settings, release.tables
    )


def restore_released_versions(
    settings: Settings, tables: tuple[PublishedTable, ...] = PUBLISHED_TABLES
) -> list[str]:
    """Restore every table whose latest version no release names to the current release's
    version; returns the tables restored. The caller holds the publisher lock."""
    root = settings.published
    release = current_release(settings)
    restored: list[str] = []
    for table in tables:
        if release is None or table.key not in release.table_versions:
            continue  # a table no release holds yet is read by no one through a release
        if not table_exists(root, table):
            continue
        delta = DeltaTable(str(table_path(root, table)))
        released = release.table_versions[table.key]
        if delta.version() > released and not _restored_to(delta, released):
            delta.restore(released)
            restored.append(table.key)
    return restored


def roll_back_unreleased(
    settings: Settings, tables: tuple[PublishedTable, ...] = PUBLISHED_TABLES
) -> list[str]:
    """What a run does first: restore the released versions, and bring ``analytics.duckdb``
    to the current release; returns the tables restored. Takes the publisher lock, so it never
    races a publication."""
    with publisher_lock(settings.published):
        restored = restore_released_versions(settings, tables)
        release = current_release(settings)
        if release is not None and not analytics_is_current(settings, release):
            build_analytics_file(settings)
    return restored
