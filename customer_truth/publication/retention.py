"""Retention: the newest ``Settings.keep_releases`` releases stay readable, older ones expire.

Every release writes a whole snapshot of every table, so a home that publishes daily would grow
by one snapshot a day, forever, and an erasure purge (``erasure.purge_history``), which rewrites
every readable version, would cost more every day. Retention bounds both.

After each publication, the releases beyond the newest ``keep_releases`` expire:
1. their ``publication_log`` rows become ``expired`` (one Delta commit each): what was published,
   when, with which counts and gate results stays on record; no reader resolves them any more,
   and a read as of their time says they expired (``reader.ReleaseExpiredError``);
2. then every data file that no kept release's version holds is deleted (files of expired
   versions, and of versions a killed run left behind). Only the ``_delta_log`` entries of those
   versions remain: they hold no values (tables keep no column statistics, ``store.py``).

Set ``CUSTOMER_TRUTH_KEEP_RELEASES`` (default 14) to keep more or fewer.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from deltalake import DeltaTable

from customer_truth.publication.log import STATUS_EXPIRED, read_entries, write_entry
from customer_truth.publication.reader import Release, releases
from customer_truth.publication.registry import PublishedTable
from customer_truth.publication.store import table_exists, table_path
from customer_truth.settings import Settings


def expire_releases(settings: Settings, tables: tuple[PublishedTable, ...]) -> list[Release]:
    """Expire the releases beyond the newest ``settings.keep_releases`` and delete what only they
    held; returns the releases that expired now. Call under the publisher lock."""
    root, keep = settings.published, settings.keep_releases
    published = releases(settings)
    if len(published) <= keep:
        return []
    kept, expiring = published[-keep:], published[:-keep]
    ids = {r.publication_id for r in expiring}
    # the log first: once the rows say expired, nobody resolves these releases any more
    for entry in read_entries(root):
        if entry.publication_id in ids:
            write_entry(root, replace(entry, status=STATUS_EXPIRED))
    for table in tables:
        versions = {r.table_versions[table.key] for r in kept if table.key in r.table_versions}
        remove_files_outside(root, table, versions)
    return expiring


def remove_files_outside(root: Path, table: PublishedTable, versions: set[int]) -> int:
    """Delete every data file of the table's current generation that none of ``versions``
    holds; returns how many were deleted."""
    if not table_exists(root, table) or not versions:
        return 0
    link = table_path(root, table)
    generation = link.resolve()
    held = {
        Path(uri.removeprefix("file://")).name
        for version in versions
        for uri in DeltaTable(str(link), version=version).file_uris()
    }
    removed = 0
    for data_file in generation.glob("*.parquet"):
        if data_file.name not in held:
            data_file.unlink(missing_ok=True)
            removed += 1
    return removed
