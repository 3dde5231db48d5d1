"""How long work says how far it is: `customer-truth generate` and every benchmark report
through this module, so all of them read alike.

Every update is one plain line on stderr, stamped with the time: ``[14:02:07] message``. No
carriage returns, bars or colours, so a log file or CI output reads as a terminal does, and
stdout keeps only the results (tables, JSON) a caller may parse. Three shapes:

- :func:`say`: one line, for a step that begins or ends;
- :class:`Meter`: a loop over a known amount of work, reported at most every ``every``
  seconds and once at the end: done/total, share, time spent and a plain estimate of the rest;
- :func:`running`: a step with no count of its own (a child process, a dbt build), with a
  line every ``every`` seconds while it lasts, so minutes of silence never look like a hang.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from time import monotonic


def say(message: str) -> None:
    """One progress line on stderr, stamped with the UTC time."""
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return (
        f"{minutes} min {seconds:02d} s"
        if minutes < 60
        else f"{minutes // 60} h {minutes % 60:02d} min"
    )


class Meter:
    """Counts a loop's progress through ``total`` units of ``what`` and says how far it is: at
    most once every ``every`` seconds, and always when the last unit is done."""

    def __init__(self, what: str, total: int, unit: str = "", every: float = 10.0) -> None:
        self.what, self.total, self.unit, self.every = what, total, unit, every
        self.done = 0
        self._started = monotonic()
        self._last_said: float | None = None

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        now = monotonic()
        finished = self.done >= self.total
        due = self._last_said is None or now - self._last_said >= self.every
        if not (finished or due):
            return
        self._last_said = now
        spent = now - self._started
        unit = f" {self.unit}" if self.unit else ""
        line = f"{self.what}: {self.done:,}/{self.total:,}{unit}"
        if self.total:
            line += f" ({100 * self.done / self.total:.0f}%)"
        line += f", {_duration(spent)}"
        if not finished and self.done:
            line += f", about {_duration(spent / self.done * (self.total - self.done))} to go"
        say(line)


@contextmanager
def running(
    what: str, every: float = 30.0, detail: Callable[[], str] | None = None
) -> Iterator[None]:
    """Say ``what`` begins, then every ``every`` seconds that it is still running (with
    ``detail()``, e.g. the memory it holds), then how long it took (or that it failed)."""
    say(f"{what} ...")
    started = monotonic()
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(every):
            extra = f", {detail()}" if detail else ""
            say(f"{what}: still running, {_duration(monotonic() - started)}{extra}")

    thread = threading.Thread(target=heartbeat, name=f"progress: {what}", daemon=True)
    thread.start()
    try:
        yield
    except BaseException:
        say(f"{what}: failed after {_duration(monotonic() - started)}")
        raise
    finally:
        stop.set()
        thread.join()
    say(f"{what}: done in {_duration(monotonic() - started)}")
