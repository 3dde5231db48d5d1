"""Is a batch's extraction time believable? A batch is judged before it can move the data's clock.

The data's as-of (``int_journeys__as_of``, read by journeys and the context) is the latest
``extracted_at`` the warehouse holds, and every event-age rule counts from it. So one batch
stamped in the future (a crm batch ``20990101T000000Z`` with a valid ``_SUCCESS``) would move
"now" to 2099, fail every event-age expectation of the gate and, its rows staying in raw, block
every later release. The batch id is the extraction time by contract (``../shared/SOURCES.md``),
and so is the manifest's ``extracted_at``; a batch is quarantined whole, never loaded, when
(``judge_batch``):

- its batch id is not a real UTC time;
- its batch id or ``extracted_at`` stands more than ``BatchClock.future`` ahead of the wall clock;
- its batch id and ``extracted_at`` disagree by more than ``BatchClock.manifest_skew``;
- its batch id is more than ``BatchClock.late`` older than the system's latest loaded batch (a
  retried transfer may land after later batches, a replay of a stale extract may not).

A verdict is recorded once (``ingest.batch_loads.quarantine_reason``) and never judged again:
the wall clock moving past a quarantined batch does not admit it later, and the batches loaded
meanwhile do not change a batch's fate after the fact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from customer_truth.landing import Batch
from customer_truth.settings import BatchClock

BATCH_ID_FORMAT = "%Y%m%dT%H%M%SZ"


def batch_time(batch_id: str) -> datetime | None:
    """The extraction time a batch id names, or None when it names no real time."""
    try:
        return datetime.strptime(batch_id, BATCH_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def span(delta: timedelta) -> str:
    """A duration as a person reads it: ``3 h 20 min``, ``26663 days``."""
    seconds = int(abs(delta).total_seconds())
    if seconds >= 2 * 86_400:
        return f"{seconds // 86_400} days"
    if seconds >= 3_600:
        return f"{seconds // 3_600} h {seconds % 3_600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def judge_batch(
    batch: Batch, latest_loaded: str | None, now: datetime, clock: BatchClock
) -> str | None:
    """Why ``batch`` must be quarantined whole, or None when its extraction time is believable.

    ``latest_loaded``: the batch id of the system's latest batch loaded so far (quarantined ones
    excluded), ``now``: the wall clock."""
    stamped = batch_time(batch.batch_id)
    if stamped is None:
        return f"batch id {batch.batch_id} is not a real UTC time (YYYYMMDDTHHMMSSZ)"
    suffix = "the batch is quarantined whole, not loaded"
    for what, moment in (("batch id", stamped), ("_SUCCESS extracted_at", batch.extracted_at)):
        if moment is not None and moment > now + clock.future:
            return (
                f"extraction time in the future: {what} {_iso(moment)} is {span(moment - now)} "
                f"after the wall clock ({_iso(now)}), beyond the {span(clock.future)} "
                f"tolerance; {suffix}"
            )
    extracted = batch.extracted_at
    if extracted is not None and abs(extracted - stamped) > clock.manifest_skew:
        return (
            f"batch id {batch.batch_id} and _SUCCESS extracted_at {_iso(extracted)} disagree by "
            f"{span(extracted - stamped)}, beyond the {span(clock.manifest_skew)} tolerance; "
            f"{suffix}"
        )
    latest = batch_time(latest_loaded) if latest_loaded else None
    if latest is not None and stamped < latest - clock.late:
        return (
            f"extraction time far behind: batch id {batch.batch_id} is {span(latest - stamped)} "
            f"older than the latest loaded {batch.system} batch {latest_loaded}, beyond the "
            f"{span(clock.late)} tolerance for late deliveries; {suffix}"
        )
    return None
