"""Peak memory of a whole process tree (the job and its dbt subprocesses), sampled from /proc.

``getrusage(RUSAGE_CHILDREN)`` reports the largest single descendant, not the sum of processes
alive at once (the job's Python process and its dbt subprocess overlap), so the tree is summed
at every sample instead. Samples are kept with their time so that a stage's peak can be read off
the window the stage ran in.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")
_PROC = Path("/proc")


def _parents_and_rss() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident bytes) of every process we can read."""
    found = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            resident_pages = int((entry / "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue  # the process ended between listing and reading
        # the command name (field 2) may hold spaces: fields after its closing bracket
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        found[int(entry.name)] = (parent, resident_pages * _PAGE)
    return found


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants now."""
    processes = _parents_and_rss()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid in processes:
            total += processes[pid][1]
        stack.extend(children.get(pid, []))
    return total


class TreeSampler:
    """Samples ``tree_rss(pid)`` every ``interval`` seconds in a thread until stopped."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int]] = []  # (epoch seconds, bytes)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), tree_rss(self.pid)))
            self._stop.wait(self.interval)

    def latest(self) -> int:
        """The last sample (0 before the first)."""
        return self.samples[-1][1] if self.samples else 0

    def peak(self, start: float | None = None, end: float | None = None) -> int:
        """The largest sample in [start, end] (the whole run when not given)."""
        inside = [
            rss
            for when, rss in self.samples
            if (start is None or when >= start) and (end is None or when <= end)
        ]
        return max(inside, default=0)


def descendants(root: int) -> list[int]:
    """Every process below ``root`` now (children, their children, ...)."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in _parents_and_rss().items():
        children.setdefault(parent, []).append(pid)
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found
