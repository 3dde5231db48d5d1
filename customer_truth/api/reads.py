"""What both servers answer, pinned to one release per request.

``ServedRelease`` holds the release a server answers from and its index. A watcher thread
notices a ``publication_log`` commit (a new release, or an erasure purge of the current one),
builds the new release's index in the background, waiting for the publisher to swap in its
``analytics.duckdb``, and then replaces the pinned index in one assignment. A request takes the
pinned index once, at its start, and reads only through it: it sees one release, never a mix,
and the switch needs no restart and makes no request wait for an index to be built. Until the
switch, the previous release keeps answering (it is complete: its file stays open after the
rename).

``Reader`` is the API both servers call: each method is one read, through
``customer_truth.retrieval`` (policy, masking, access log), under the consumer a key decided.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from customer_truth.publication.log import STATUS_EXPIRED, STATUS_PUBLISHED, read_entries
from customer_truth.publication.reader import (
    NoReleaseError,
    Release,
    ReleaseExpiredError,
    release_as_of,
)
from customer_truth.publication.store import published_root
from customer_truth.retrieval.access_log import append_access
from customer_truth.retrieval.customer_tables import (
    CustomerRows,
    TimelineFilter,
    customer_exists,
    decode_cursor,
    read_signals,
    read_timeline,
)
from customer_truth.retrieval.index import (
    ReleaseIndex,
    known_releases,
    open_analytics_index,
    publication_log_stamp,
    release_index,
)
from customer_truth.retrieval.lookup import FOUND, ContextResponse, lookup

_log = logging.getLogger("customer_truth.api")

# how long a new release may take to get its analytics.duckdb before the Delta tables are read
ANALYTICS_WAIT_SECONDS = 120.0


def parse_time(value: str | datetime | None) -> datetime | None:
    """An ISO time (naive: UTC); ``ValueError`` names the problem, not the value."""
    if value is None or isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not an ISO 8601 time (e.g. 2026-03-01T10:00:00Z)") from None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


class ServedRelease:
    """The release a server answers from; switched atomically when a new one is published."""

    def __init__(self, home: Path, poll_seconds: float = 1.0) -> None:
        self.home = Path(home)
        self.poll_seconds = poll_seconds
        self._pinned: ReleaseIndex | None = None
        self._stamp: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.switches = 0  # releases switched to since start (for tests and the benchmark)

    def start(self) -> None:
        """Pin the current release (if any), then watch for the next one."""
        self._refresh(wait=0.0)
        self._thread = threading.Thread(target=self._watch, name="release-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self._refresh(wait=ANALYTICS_WAIT_SECONDS)
            except Exception:  # keep serving the pinned release; try again at the next tick
                _log.exception("release watcher: could not open the new release")

    def _refresh(self, wait: float) -> None:
        stamp = publication_log_stamp(self.home)
        if stamp == self._stamp:
            return
        known = known_releases(self.home)  # re-read: the log changed
        if not known:
            self._stamp = stamp
            return
        newest = known[-1]
        deadline = time.monotonic() + wait
        index = open_analytics_index(self.home, newest)
        while index is None and time.monotonic() < deadline and not self._stop.is_set():
            time.sleep(0.2)
            index = open_analytics_index(self.home, newest)
        if index is None:
            index = release_index(self.home, newest, current=False)  # the Delta tables
        index.warm_up()  # before the switch: no request waits for it
        previous = self._pinned
        self._pinned = index  # the switch: one assignment, seen whole by every later request
        self._stamp = stamp
        if previous is not None and previous is not index:
            self.switches += 1
            _log.info("now serving release %s", newest.publication_id)

    @property
    def pinned(self) -> ReleaseIndex:
        index = self._pinned
        if index is None:
            # a first release may have come since start: look now rather than at the next tick
            self._refresh(wait=ANALYTICS_WAIT_SECONDS)
            index = self._pinned
        if index is None:
            raise NoReleaseError("nothing has been published yet")
        return index

    def index_for(self, as_of: datetime | None) -> ReleaseIndex:
        """The pinned index, or the index of the release current at ``as_of``."""
        pinned = self.pinned
        if as_of is None:
            return pinned
        release = self._release_at(as_of)
        if release.publication_id == pinned.release.publication_id:
            return pinned
        return release_index(self.home, release, current=False)

    def index_of(self, publication_id: str) -> ReleaseIndex:
        """The index of a release by id (a timeline cursor's); ``ReleaseExpiredError`` when it
        is no longer kept."""
        pinned = self.pinned
        if publication_id == pinned.release.publication_id:
            return pinned
        for release in known_releases(self.home):
            if release.publication_id == publication_id:
                return release_index(self.home, release, current=False)
        raise ReleaseExpiredError("the release this cursor paged is no longer kept")

    def _release_at(self, when: datetime) -> Release:
        # the releases are cached (re-read only when the log changes); release_as_of reads the
        # log, and is asked only to say why nothing was current then (before any, or expired)
        found = [r for r in known_releases(self.home) if r.published_at <= when]
        if found:
            return found[-1]
        release = release_as_of(self.home, when)
        if release is None:
            raise NoReleaseError("no release was published by that time")
        return release


@dataclass
class Reader:
    """Every read of the servers, under one consumer (decided by the caller's key)."""

    served: ServedRelease

    @property
    def home(self) -> Path:
        return self.served.home

    def resolve(self, consumer: str, identifier: str, as_of: datetime | None) -> dict[str, Any]:
        index = self.served.index_for(as_of)
        response = lookup(identifier, consumer=consumer, home=self.home, index=index, as_of=as_of)
        found = response.customer["customer_id"] if response.customer else None
        return {
            "status": response.status,
            "customer_id": found,
            "candidates": response.candidates,
            "identifier_types": response.identifier_types,
            "message": response.message,
            "publication_id": response.publication_id,
            "published_at": response.published_at,
        }

    def context(
        self, consumer: str, customer_id: str, as_of: datetime | None
    ) -> ContextResponse | None:
        """None when the release has no customer with this id."""
        index = self.served.index_for(as_of)
        response = lookup(
            customer_id,
            consumer=consumer,
            home=self.home,
            index=index,
            as_of=as_of,
            customer_id_only=True,
        )
        if response.status != FOUND or response.customer is None:
            return None
        return response

    def timeline(
        self,
        consumer: str,
        customer_id: str,
        page: TimelineFilter,
        as_of: datetime | None,
        cursor: str | None,
    ) -> CustomerRows | None:
        if cursor is not None:
            # every page of one listing comes from the release of its first page
            publication_id, occurred_at, event_id = decode_cursor(cursor)
            index = self.served.index_of(publication_id)
            page = TimelineFilter(
                page.since, page.until, page.channel, page.limit, (occurred_at, event_id)
            )
        else:
            index = self.served.index_for(as_of)
        return read_timeline(index, self.home, consumer, customer_id, page, as_of)

    def signals(
        self, consumer: str, customer_id: str, as_of: datetime | None
    ) -> CustomerRows | None:
        return read_signals(self.served.index_for(as_of), self.home, consumer, customer_id, as_of)

    def known_customer(self, index: ReleaseIndex, customer_id: str) -> bool:
        return customer_exists(index, customer_id)

    def releases(self, consumer: str) -> list[dict[str, Any]]:
        """Every release still readable or expired: id, time, status, row counts."""
        entries = [
            e
            for e in read_entries(published_root(self.home))
            if e.status in (STATUS_PUBLISHED, STATUS_EXPIRED)
        ]
        served = self.served.pinned.release.publication_id if self.served._pinned else None
        append_access(self.home, {"consumer": consumer, "status": "found", "table": "releases"})
        return [
            {
                "publication_id": e.publication_id,
                "published_at": e.published_at.isoformat() if e.published_at else None,
                "status": e.status,
                "serving": e.publication_id == served,
                "row_counts": e.row_counts,
            }
            for e in entries
        ]
