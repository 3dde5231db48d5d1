"""The DuckDB warehouse file: one writer at a time, and the bookkeeping tables of ingestion.

DuckDB lets one process hold the file and no other process open it meanwhile. So every step that
opens the file (Python assets and the dbt subprocess alike) first takes an advisory lock on a file
next to it and waits its turn instead of failing on DuckDB's lock. Runs themselves do not overlap
(the run lock, ``run_lock.py``, is held from a run's start to its end); this lock is taken step by
step and also keeps out other writers, such as a hand-run dbt or a test reading the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from customer_truth.contracts import CONTRACTS
from customer_truth.settings import Settings, load_settings
from customer_truth.statements import statement

log = logging.getLogger(__name__)
SQL = "sql/warehouse"  # one statement per file: customer_truth/sql/warehouse/<name>.sql
LOCK_TIMEOUT_SECONDS = 6 * 3600
_POLL_SECONDS = 0.5

# flock is held per open file: a second acquisition from this same process must not wait on
# itself, so the lock is re-entrant within the process.
_held = threading.local()
_process_lock = threading.RLock()


class WarehouseBusyError(RuntimeError):
    """Another process held the warehouse for longer than we were willing to wait."""


@contextmanager
def warehouse_lock(settings: Settings, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the warehouse's advisory lock for the duration of the block."""
    with _process_lock:
        depth = getattr(_held, "depth", 0)
        if depth:
            _held.depth = depth + 1
            try:
                yield
            finally:
                _held.depth -= 1
            return
        settings.home.mkdir(parents=True, exist_ok=True)
        with open(settings.warehouse_lock, "a+") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WarehouseBusyError(
                            f"{settings.warehouse} stayed locked by another process for "
                            f"{timeout:.0f} s ({settings.warehouse_lock})"
                        ) from None
                    time.sleep(_POLL_SECONDS)
            _held.depth = 1
            try:
                yield
            finally:
                _held.depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def open_warehouse(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse under the lock, closed before the lock is released."""
    with warehouse_lock(settings):
        con = connect(settings.warehouse, settings)
        try:
            yield con
        finally:
            con.close()


def connect(path: Path | str, settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database (file or ``:memory:``) with the project's session settings: UTC,
    and the memory budget with a folder to spill to (``Settings.memory_limit``)."""
    settings = settings or load_settings()
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    settings.duckdb_temp.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        str(path),
        config={"memory_limit": settings.memory_limit, "temp_directory": str(settings.duckdb_temp)},
    )
    con.execute("set TimeZone = 'UTC'")
    return con


# what a database keeps cached while another database of the process works (memory_lent)
LENT_MEMORY_KEEP = "128MB"
# what a database that cannot lend down to LENT_MEMORY_KEEP may hold beyond what it holds now
LENT_MEMORY_MARGIN = 64 * 1024 * 1024


@contextmanager
def memory_lent(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> Iterator[None]:
    """While another DuckDB database of this process does the work (or Python does), ``con``'s
    buffer pool gives back what it caches beyond ``LENT_MEMORY_KEEP``, and takes the budget back
    afterwards.

    Each database has its own buffer pool and each is given the whole budget
    (``Settings.memory_limit``), so two at work at once could hold twice the budget; lowering the
    idle one's limit evicts its cached blocks (they are read again when needed). One budget for
    the process, however many databases it opens. What ``con`` cannot give back (pinned
    memory: a 1M-person identity's in-memory database could not go down to 128MB) it keeps,
    and it takes no more meanwhile: the limit drops to what it holds, and the work goes on."""
    settings = settings or load_settings()
    try:
        con.execute("set memory_limit = ?", [LENT_MEMORY_KEEP])
    except duckdb.OutOfMemoryException:
        held = con.execute(statement(f"{SQL}/memory_held")).fetchall()[0][0]
        log.warning("a database could lend only part of its budget: it holds %s bytes", held)
        with contextlib.suppress(duckdb.OutOfMemoryException):
            con.execute("set memory_limit = ?", [f"{int(held) + LENT_MEMORY_MARGIN}B"])
    try:
        yield
    finally:
        con.execute("set memory_limit = ?", [settings.memory_limit])


def rewrite_warehouse_file(settings: Settings) -> None:
    """Copy the warehouse into a fresh file and swap it in, under the lock. DuckDB keeps the
    bytes of deleted rows in the file's freed blocks until it reuses them, so after an erasure
    sweep the person would still be in ``warehouse.duckdb`` for anyone reading the file itself.
    ``COPY FROM DATABASE`` writes only live rows (schemas, tables and constraints alike)."""
    warehouse = settings.warehouse
    fresh = warehouse.with_name(warehouse.name + ".rewrite")
    with warehouse_lock(settings):
        fresh.unlink(missing_ok=True)
        con = connect(warehouse, settings)
        try:
            con.execute("checkpoint")
            source = con.execute("select current_database()").fetchall()[0][0]
            # ATTACH and COPY take no parameters: the path is ours (settings), both names quoted
            con.execute(f"attach '{str(fresh).replace(chr(39), chr(39) * 2)}' as rewritten")
            quoted = source.replace('"', '""')
            con.execute(f'copy from database "{quoted}" to rewritten')
            con.execute("detach rewritten")
        finally:
            con.close()
        with open(fresh, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(fresh, warehouse)
        directory = os.open(warehouse.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


ERASURE_STATE_SQL = Path(__file__).parent / "privacy" / "sql" / "erasure_state.sql"


def sql_statements(path: Path) -> list[str]:
    """The statements of a ``.sql`` file (split at ``;`` line ends; comments-only parts dropped)."""
    parts = path.read_text().split(";\n")
    return [
        part.strip()
        for part in parts
        if any(line.strip() and not line.strip().startswith("--") for line in part.splitlines())
    ]


def ensure_erasure_state(con: duckdb.DuckDBPyConnection) -> None:
    """The tables erasure keeps in the warehouse (``privacy/sql/erasure_state.sql``)."""
    for script_statement in sql_statements(ERASURE_STATE_SQL):
        con.execute(script_statement)


def ensure_raw_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """One raw table (``raw.<system>__<entity>``): a line's payload and its lineage. ``table``
    comes from code (a contract, the interaction log), never from data."""
    con.execute("create schema if not exists raw")
    con.execute(statement(f"{SQL}/raw_table", table=table))


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables and ingestion's bookkeeping tables if they do not exist yet."""
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists ingest")
    ensure_erasure_state(con)
    for contract in CONTRACTS:
        ensure_raw_table(con, f"raw.{contract.table}")
    con.execute(statement(f"{SQL}/quarantine"))
    con.execute(statement(f"{SQL}/batch_loads"))
    # what each loaded batch was (``landing.batch_content_sha256``) and a cheap stat digest that
    # says when to hash it again; added in place to warehouses made before they existed
    con.execute("alter table ingest.batch_loads add column if not exists content_sha256 varchar")
    con.execute("alter table ingest.batch_loads add column if not exists content_stat varchar")
    # not null: the batch was quarantined whole, why (``batch_clock``); none of its rows loaded
    con.execute("alter table ingest.batch_loads add column if not exists quarantine_reason varchar")
    con.execute(statement(f"{SQL}/file_loads"))
