"""One run at a time on a home: the run lock, held by the process running a job all run long.

The warehouse lock (``warehouse.py``) is taken step by step, so on its own it lets two runs
interleave: a second run could ingest a batch and rebuild the ``publish`` candidates between the
first run's gate and its publication. The run lock closes that gap: a run holds
``$CUSTOMER_TRUTH_HOME/run.lock`` (``fcntl.flock``) from its first step to its last, and whoever
wants to run waits for it.

Who takes it:
- ``customer-truth run`` before it asks whether anything is new, so a run that waited decides
  with what the previous run published (and ``run_main_job`` for callers that skip the CLI);
- every Dagster run of the job (sensor, schedule, UI): the run worker executes the job in
  process, and the warehouse resource, which every step requires, takes the lock when Dagster
  initialises it before the first step and releases it at teardown after the last
  (``dagster_project/resources.py``).

The lock is re-entrant within a process: the headless run holds it and its Dagster resource
takes it again without waiting on itself. A waiting run says whose run it waits for (the holder
writes its run id, pid and start time into the lock file) and gives up after
``CUSTOMER_TRUTH_RUN_WAIT`` seconds (default one hour) with ``RunBusyError``.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO

from customer_truth.settings import Settings, non_negative_from_env

DEFAULT_RUN_WAIT_SECONDS = 3600.0
_POLL_SECONDS = 0.5
# how often a waiting run repeats that it is still waiting
_REMIND_SECONDS = 60.0


class _ProcessHold:
    """How many blocks of this process hold the lock. Re-entrant per process, not per thread
    (Dagster may initialise a resource on another thread than the one that started the run);
    ``guard`` only protects the count."""

    def __init__(self) -> None:
        self.depth = 0
        self.guard = threading.Lock()


_hold = _ProcessHold()


class RunBusyError(RuntimeError):
    """Another run held the home for longer than this run was willing to wait."""


def run_wait_seconds() -> float:
    """``CUSTOMER_TRUTH_RUN_WAIT``: how long a run waits for the one before it (0: not at all)."""
    return non_negative_from_env("CUSTOMER_TRUTH_RUN_WAIT", DEFAULT_RUN_WAIT_SECONDS, "seconds")


def holder(settings: Settings) -> str:
    """Who holds (or last held) the run lock, in words, from what the holder wrote into it."""
    try:
        text = settings.run_lock.read_text()
        data = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        data = {}
    if not data:
        return "another run"
    return f"run {data.get('run_id')} (pid {data.get('pid')}, started {data.get('started_at')})"


@contextmanager
def run_lock(
    settings: Settings,
    run_id: str,
    *,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the home's run lock for the block; wait up to ``timeout`` s (default: the setting),
    telling ``on_wait`` whose run it waits for, then raise ``RunBusyError``."""
    with _hold.guard:
        nested = _hold.depth > 0
        if nested:
            _hold.depth += 1
    if nested:
        try:
            yield
        finally:
            with _hold.guard:
                _hold.depth -= 1
        return

    wait = run_wait_seconds() if timeout is None else timeout
    settings.home.mkdir(parents=True, exist_ok=True)
    handle = open(settings.run_lock, "a+")  # noqa: SIM115 (held across the yield)
    try:
        _acquire(settings, handle, wait, on_wait)
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(json.dumps({"run_id": run_id, "pid": os.getpid(), "started_at": started}))
        handle.flush()
        with _hold.guard:
            _hold.depth = 1
        try:
            yield
        finally:
            with _hold.guard:
                _hold.depth = 0
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _acquire(
    settings: Settings, handle: IO[str], wait: float, on_wait: Callable[[str], None] | None
) -> None:
    started = time.monotonic()
    reminded = 0.0
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            waited = time.monotonic() - started
            if waited >= wait:
                raise RunBusyError(
                    f"{holder(settings)} still holds {settings.home} after {waited:.0f} s "
                    f"of waiting ({settings.run_lock}); nothing was run. Try again when it "
                    "finished, or wait longer with CUSTOMER_TRUTH_RUN_WAIT=<seconds>"
                ) from None
            if on_wait is not None and (reminded == 0.0 or waited - reminded >= _REMIND_SECONDS):
                on_wait(
                    f"waiting for {holder(settings)} to finish: one run at a time on "
                    f"{settings.home} (giving up after {wait:.0f} s)"
                )
                reminded = max(waited, 1e-9)
            time.sleep(_POLL_SECONDS)
