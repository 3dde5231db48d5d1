"""Which version of which record reaches which batch: the extract's view, plus delivery noise.

- A snapshot entity's batch holds each record's latest version as of the extraction; the full
  batch leaves out records that are deleted by then. A stream entity's batch holds every version
  that arrived since the previous batch.
- Delivery noise: a line delivered twice (same batch or the next), an older version of a record
  delivered again after a newer one (only where the record carries its modification time), and
  the rows of a planted empty file arriving one batch later.

Decisions are drawn from a hash of the record id, not from a shared stream: a record's fate does
not depend on which other records exist, so adding days or persons never changes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from customer_truth.generate.clock import Schedule
from customer_truth.generate.records import Record, Version


@dataclass(slots=True)
class Line:
    """One delivered copy of a version."""

    record: Record
    version: Version
    batch: int
    kind: str  # "" | "duplicate" | "late"


def draws(seed: int, key: str) -> tuple[float, ...]:
    """Eight uniforms in [0, 1) determined by (seed, key)."""
    d = hashlib.blake2b(f"{seed}|{key}".encode(), digest_size=32).digest()
    return tuple(int.from_bytes(d[i : i + 4], "big") / 4_294_967_296 for i in range(0, 32, 4))


@dataclass(frozen=True)
class FilePlan:
    """Per-file decisions made before any record exists (see `landing.plan_files`)."""

    empty: frozenset[tuple[str, str, int]]  # (system, entity, batch) delivered empty


def deliver(
    rec: Record,
    schedule: Schedule,
    seed: int,
    rates: dict[str, float],
    forced: frozenset[str],
    plan: FilePlan,
) -> list[Line]:
    spec = rec.spec
    system = spec.system
    last = schedule.days
    wins = [schedule.window(system, v.at) for v in rec.versions]
    u = draws(seed, rec.record_id + spec.entity)
    out: list[Line] = []
    if spec.stream:
        out = [
            Line(rec, v, w, "") for v, w in zip(rec.versions, wins, strict=True) if w is not None
        ]
    else:
        latest: dict[int, int] = {}
        for i, w in enumerate(wins):
            if w is not None:
                latest[w] = i
        for w, i in sorted(latest.items()):
            v = rec.versions[i]
            if w == 0 and v.deleted:
                continue  # a full extract holds live records only
            out.append(Line(rec, v, w, ""))
    late_rate = rates["late_update"]
    if spec.reorder and late_rate > 0 and len(rec.versions) > 1:
        hit = "late_update" in forced or u[0] < late_rate
        if hit:
            # one superseded version arrives again, after its successor
            for i in range(len(rec.versions) - 1):
                w, w_next = wins[i], wins[i + 1]
                if w is None or w_next is None or w_next == 0:
                    continue
                b = w_next + (1 if u[1] < 0.4 and "late_update" not in forced else 0)
                if spec.stream:
                    b = max(b, w + 1)  # a streamed version was delivered once already
                if b <= last:
                    out.append(Line(rec, rec.versions[i], b, "late"))
                break
    dup_rate = rates["duplicate_delivery"]
    if dup_rate > 0 and out and ("duplicate_delivery" in forced or u[2] < dup_rate):
        first = out[0]
        # across batches only where that cannot put an old version after a newer one
        # unnoticed: records with their own modification time, or with a single version
        later = spec.reorder or len(rec.versions) == 1
        b = first.batch + (1 if later and u[3] < 0.5 else 0)
        if b <= last:  # a copy meant for a batch beyond the world's end is simply not there yet
            out.append(Line(rec, first.version, b, "duplicate"))
    if plan.empty:
        kept = []
        for line in out:
            b = line.batch
            while (system, spec.entity, b) in plan.empty:
                b += 1
            if b <= last:
                line.batch = b
                kept.append(line)
        out = kept
        if not spec.reorder and not spec.stream:
            # rows moved to the next batch meet newer versions there: a real extract would
            # hold only the newest (the latest batch wins for objects without a mod time)
            newest: dict[int, float] = {}
            for line in out:
                newest[line.batch] = max(newest.get(line.batch, -1), line.version.at)
            out = [line for line in out if line.version.at == newest[line.batch]]
    return out
