"""``published/analytics.duckdb``: the current release as a DuckDB file analysts open read-only.

Built as a new file beside the old one and swapped in by ``rename``, so an analyst's open
session keeps its (old, complete) file and the next ``duckdb.connect(..., read_only=True)``
gets the new one. Contract tables sit in schema ``main``, journey marts in schema ``marts``;
``release_info`` says which release the file holds.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from customer_truth.publication.reader import current_release, table_dataset, table_files
from customer_truth.publication.registry import document_columns
from customer_truth.settings import Settings
from customer_truth.warehouse import connect

ANALYTICS_FILE = "analytics.duckdb"


def analytics_path(settings: Settings) -> Path:
    return settings.published / ANALYTICS_FILE


def table_generations(settings: Settings, keys: list[str]) -> dict[str, str]:
    """The generation folder (``store.py``) each table's path points to now."""
    found = {}
    for key in keys:
        link = settings.published / key
        if link.is_symlink():
            found[key] = link.resolve().name
    return found


def build_analytics_file(settings: Settings) -> Path | None:
    release = current_release(settings)
    if release is None:
        return None
    target = analytics_path(settings)
    temporary = target.with_name(f".{ANALYTICS_FILE}.{uuid.uuid4().hex}")
    generations = table_generations(settings, release.tables)
    con = connect(temporary, settings)  # the memory budget, and TimeZone UTC
    try:
        con.execute("create schema if not exists marts")
        for key in release.tables:
            schema, _, name = key.rpartition("/")
            # names come from the registry (code), not from data
            table = f'"{schema or "main"}"."{name}"'
            files = table_files(settings, key, release)
            if files is not None:
                # scanned by DuckDB's Parquet reader as it writes: no table is whole in memory
                _create_table(con, table, "select * from read_parquet(?)", [files], key)
            else:
                # an empty version (no file), read through its arrow schema
                con.register("incoming", table_dataset(settings, key, release))
                _create_table(con, table, "select * from incoming", [], key)
                con.unregister("incoming")
        con.register(
            "incoming",
            pa.table(
                {
                    "publication_id": [release.publication_id],
                    "published_at": pa.array([release.published_at], pa.timestamp("us", "UTC")),
                    # the generations read: an erasure purge of the same release swaps them
                    "generations": [json.dumps(generations, sort_keys=True)],
                }
            ),
        )
        con.execute("create table release_info as select * from incoming")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(temporary, target)
    for stale in target.parent.glob(f".{ANALYTICS_FILE}.*"):
        if stale != temporary:
            stale.unlink(missing_ok=True)
    return target


def _create_table(
    con: duckdb.DuckDBPyConnection, table: str, rows: str, parameters: list[Any], key: str
) -> None:
    """``table`` holding ``rows``. Document columns are stored with zstd: DuckDB's default for
    text (a dictionary, then FSST) took 11.8 s and 457 MB for a 100k-person world's
    customer_context, zstd 3.6 s and 71 MB; shorter text keeps the default (the timeline's ids
    and labels: 197 MB by default, 328 MB with zstd)."""
    documents = document_columns(key)
    if not documents:
        con.execute(f"create table {table} as {rows}", parameters)
        return
    source = con.sql(rows, params=parameters or None)
    columns = ", ".join(
        f'"{column}" {kind}' + (" using compression zstd" if column in documents else "")
        for column, kind in zip(source.columns, source.types, strict=True)
    )
    # column names and types are the published table's own schema (code), not data
    con.execute(f"create table {table} ({columns})")
    con.execute(f"insert into {table} {rows}", parameters)
