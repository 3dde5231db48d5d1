"""The access log: one JSON line per read of a customer's context, append-only.

``$CUSTOMER_TRUTH_HOME/access_log/<YYYY-MM-DD>.jsonl`` (UTC day of the read). Each line: time,
consumer, outcome, the customer id(s) returned, the release (publication_id, published_at), the
as-of asked for, and the identifier type(s) the input matched; never the identifier itself (the
log would become a second copy of every phone and email looked up).

Beside ``published/``, not inside it: everything under ``published/`` is the release and its
history, which an erasure purge rewrites and tests search byte by byte.

Concurrent appends (threads, processes, agents on one host): each line is one ``write`` on an
``O_APPEND`` descriptor under an exclusive ``flock``, so lines never interleave or overwrite.
JSON lines because any engine reads them (``duckdb: read_json('access_log/*.jsonl')``) and an
append costs microseconds, where a Delta commit per read would cost more than the lookup.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

ACCESS_LOG = "access_log"


def access_log_dir(home: Path) -> Path:
    return Path(home) / ACCESS_LOG


def append_access(home: Path, record: dict[str, Any], when: datetime | None = None) -> Path:
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return append_line(access_log_dir(home), {"read_at": when.isoformat(), **record}, when)


def append_line(folder: Path, record: dict[str, Any], when: datetime) -> Path:
    """Append ``record`` as one JSON line to ``folder/<UTC day of when>.jsonl`` (see above: one
    ``write`` under ``flock`` on ``O_APPEND``). The interaction log appends the same way."""
    path = folder / f"{when.astimezone(UTC):%Y-%m-%d}.jsonl"
    line = _json_line(record)
    while True:
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        except FileNotFoundError:  # the first line ever: the folder is made once, not per read
            folder.mkdir(parents=True, exist_ok=True)
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            # an erasure may have replaced the file while we waited for the lock: append to the
            # file the path names now, never to the unlinked one
            if os.fstat(descriptor).st_ino == os.stat(path).st_ino:
                os.write(descriptor, line)
                return path
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)


def _json_line(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record, default=str, option=orjson.OPT_SORT_KEYS) + b"\n"


ERASED = "erased"

# what an erasure does to one line: the line rewritten, or None when it is not the person's
LineEraser = Callable[[dict[str, Any]], dict[str, Any] | None]


def rewrite_lines(folder: Path, erase: LineEraser) -> int:
    """Erasure in a JSON-lines log: each day's file that holds a line ``erase`` rewrites is
    written anew under its lock and swapped in atomically (an appender waiting for the lock then
    appends to the new file: ``append_line``); returns the lines changed. Every line keeps its
    place."""
    changed = 0
    for path in sorted(Path(folder).glob("*.jsonl")):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            rewritten = path.with_name(path.name + ".erasing")
            file_changed = 0
            with path.open(encoding="utf-8") as source, rewritten.open("w") as target:
                for line in source:
                    entry = erase(json.loads(line)) if line.strip() else None
                    if entry is not None:
                        line = _json_line(entry).decode("utf-8")
                        file_changed += 1
                    target.write(line)
                target.flush()
                os.fsync(target.fileno())
            if file_changed:
                os.chmod(rewritten, 0o640)
                os.replace(rewritten, path)
                changed += file_changed
            else:
                rewritten.unlink()
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)
    return changed


def forget_customers(home: Path, customer_ids: set[str]) -> int:
    """Erasure: every line keeps its time, consumer and outcome, but an erased customer id in it
    becomes ``erased``, so the log can no longer be joined back to the person."""

    def erase(entry: dict[str, Any]) -> dict[str, Any] | None:
        ids = entry.get("customer_ids")
        if not ids or not customer_ids.intersection(ids):
            return None
        return {**entry, "customer_ids": [ERASED if i in customer_ids else i for i in ids]}

    return rewrite_lines(access_log_dir(home), erase) if customer_ids else 0


def read_access_log(home: Path) -> list[dict[str, Any]]:
    """Every logged read, oldest day first (for audits and tests)."""
    entries: list[dict[str, Any]] = []
    for path in sorted(access_log_dir(home).glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            entries.extend(json.loads(line) for line in handle if line.strip())
    return entries
