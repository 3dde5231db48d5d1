"""Dagster's SQLite event log, with one open connection per database instead of one per event.

Dagster's ``SqliteEventLogStorage`` creates an engine, opens a connection, commits with an fsync
and closes (a WAL checkpoint, another fsync) for every event, often three times for one event
(the run's database, the cross-run index, the asset-check table). A run of the main job stores
about 2,300 events (every dbt model and test is an asset or an asset check, each planned, then
evaluated): 9.2 ms an event, some 20 s of every run, whatever its size. This storage is the same
class with its connections kept open (one per database, the last few runs' and the index), in
WAL mode with ``synchronous=NORMAL``: a commit survives a killed process, and only a crash of
the machine itself can lose the last events. 1.0 ms an event, measured on the same 1,719 events
(``tests/unit/test_dagster_event_log.py`` holds the behaviour, not the timing).

What else relies on Dagster's habit: the UI follows a run's log by watching its database file,
which only changes when the write-ahead log is checkpointed into it. So the run's database is
checkpointed at most every ``CHECKPOINT_SECONDS`` and after the run's last event.

``dagster.yaml`` (written by ``customer_truth.orchestration``) names this class, with the folder
Dagster's own storage keeps the event logs in, so a home keeps its history.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from dagster._core.events import EVENT_TYPE_TO_PIPELINE_RUN_STATUS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.pool import StaticPool

# databases kept open at once: the index and the runs being written or read
OPEN_DATABASES = 4
# how late the UI may learn of a run's events at most (it watches the run's database file)
CHECKPOINT_SECONDS = 0.5


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("pragma journal_mode=wal")
    dbapi_connection.execute("pragma synchronous=normal")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with its connections kept open (see the module docstring)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()
        self._checkpointed: dict[str, float] = {}
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> sa.Engine:
        engine = self._engines.get(shard)
        if engine is None:
            # one connection, used by one thread at a time: every use holds self._db_lock
            engine = sa.create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            sa.event.listen(engine, "connect", _on_connect)
            self._engines[shard] = engine
            while len(self._engines) > OPEN_DATABASES:
                closed, old = self._engines.popitem(last=False)
                old.dispose()  # closing the last connection checkpoints the database
                self._checkpointed.pop(closed, None)
        self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sa.Connection]:  # type: ignore[override]
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def store_event(self, event: EventLogEntry) -> None:
        super().store_event(event)
        run_id = event.run_id
        if not run_id or run_id == INDEX_SHARD_NAME:
            return
        ended = event.is_dagster_event and (
            event.dagster_event_type in EVENT_TYPE_TO_PIPELINE_RUN_STATUS
        )
        now = time.monotonic()
        if ended or now - self._checkpointed.get(run_id, 0.0) >= CHECKPOINT_SECONDS:
            self.checkpoint(run_id)
            self._checkpointed[run_id] = now

    def checkpoint(self, run_id: str) -> None:
        """Write the run's write-ahead log into its database file (what the UI watches)."""
        with self._db_lock:
            # outside a transaction: a checkpoint waits for no writer, it copies what it can
            with self._engine(run_id).connect() as conn:
                conn.exec_driver_sql("pragma wal_checkpoint(passive)")

    def has_table(self, table_name: str) -> bool:
        # asked for every asset-check event; a table, once there, stays
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def wipe(self) -> None:
        self._close_all()
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()

    def _close_all(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
            self._checkpointed.clear()
