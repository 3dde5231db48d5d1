"""When the warehouse file is rewritten so that an erased person's deleted bytes leave its storage.

The sweep (``warehouse_erasure.py``) deletes the person's rows at once: from then on no query, no
model and no release can read them. DuckDB, though, keeps a deleted row's bytes in the file (in
the row group, marked deleted, or in freed blocks) until it rewrites that storage, and the only
way to make sure is to copy the live rows into a fresh file (``warehouse.rewrite_warehouse_file``).
That copy costs the whole warehouse, not what changed: at 100k persons most of a day's run. So,
as Delta Lake's ``VACUUM`` removes a deleted file only after a retention period, the rewrite runs
once the oldest sweep it has not covered is ``Settings.warehouse_purge_after`` old (7 days by
default; 0 rewrites after every sweep), and then covers every sweep before it. The published
tables are not concerned: their erasure rewrites every readable version at once
(``publication/``). ``privacy.warehouse_purges`` records each rewrite.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from customer_truth.settings import Settings
from customer_truth.statements import statement
from customer_truth.warehouse import ensure_erasure_state, open_warehouse, rewrite_warehouse_file

SQL = "privacy/sql/purge"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeCheck:
    """What a call of ``purge_warehouse_if_due`` found and did."""

    pending_since: datetime | None  # the oldest sweep not yet covered by a rewrite
    due_at: datetime | None
    purged: bool

    def describe(self) -> str:
        if self.pending_since is None:
            return "warehouse purge: no sweep waits for one"
        if self.purged:
            return (
                "warehouse purge: file rewritten, covering the sweeps since "
                f"{self.pending_since:%Y-%m-%d %H:%M} UTC"
            )
        return (
            f"warehouse purge: due at {self.due_at:%Y-%m-%d %H:%M} UTC, for the sweeps since "
            f"{self.pending_since:%Y-%m-%d %H:%M} UTC (CUSTOMER_TRUTH_WAREHOUSE_PURGE_DAYS)"
        )


def purge_warehouse_if_due(
    settings: Settings, now: datetime | None = None, *, force: bool = False
) -> PurgeCheck:
    """Rewrite the warehouse file when the oldest sweep it has not covered is due (see the
    module docstring), or at once with ``force`` (``customer-truth purge-warehouse``); else say
    when that will be. Nothing is rewritten when no sweep waits."""
    now = now or datetime.now(UTC)
    with open_warehouse(settings) as con:
        ensure_erasure_state(con)
        oldest, newest = con.execute(statement(f"{SQL}/pending_sweeps")).fetchall()[0]
    if oldest is None:
        return PurgeCheck(None, None, purged=False)
    due_at = oldest + settings.warehouse_purge_after
    if now < due_at and not force:
        check = PurgeCheck(oldest, due_at, purged=False)
    else:
        rewrite_warehouse_file(settings)
        # recorded after the swap: were the process killed in between, the next call rewrites again
        with open_warehouse(settings) as con:
            con.execute(
                statement(f"{SQL}/record_purge"), {"purged_at": now, "through_swept_at": newest}
            )
        check = PurgeCheck(oldest, due_at, purged=True)
    log.info(check.describe())
    return check


def purge_report(con: duckdb.DuckDBPyConnection, settings: Settings, since: datetime) -> str | None:
    """For a run's report: whether the run rewrote the file, else when a waiting sweep's purge
    is due; None when neither (no sweep waits). The erasure state must exist (the report's
    ``ensure_raw_schema`` makes it)."""
    if con.execute(statement(f"{SQL}/purges_since"), {"since": since}).fetchall()[0][0]:
        return "warehouse purge: file rewritten by this run, no erased byte left in it"
    oldest = con.execute(statement(f"{SQL}/pending_sweeps")).fetchall()[0][0]
    if oldest is None:
        return None
    return PurgeCheck(oldest, oldest + settings.warehouse_purge_after, purged=False).describe()
