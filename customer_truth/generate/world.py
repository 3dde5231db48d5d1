"""`generate_world`: lives in chunks, delivered into batches, written to disk as they come.

Persons are processed in chunks of `CHUNK_BLOCKS` blocks. A chunk is a pure function of
(seed, persons, days, rates, chunk index): worker processes build chunks in parallel and the
parent appends them to the open batch files in chunk order, so the bytes do not depend on the
number of workers. Memory holds a few chunks at a time, whatever the world's size.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from customer_truth.generate import defects as defect_mod
from customer_truth.generate import phones
from customer_truth.generate import truth as truth_mod
from customer_truth.generate.activity import live
from customer_truth.generate.clock import Schedule, iso_z, make_schedule
from customer_truth.generate.defects import FORCED_TARGET, Planter, plant, to_csv, to_json
from customer_truth.generate.delivery import Line, deliver
from customer_truth.generate.landing import FileKey, LandingPlan, LandingWriter, plan_files
from customer_truth.generate.life import Life, WorldCtx
from customer_truth.generate.people import BLOCK, Person, make_block
from customer_truth.generate.rates import KINDS, NoiseRates
from customer_truth.generate.records import CSV_COLUMNS, SPEC, Record
from customer_truth.generate.rng import stream
from customer_truth.generate.systems import crm, privacy, support
from customer_truth.generate.systems.commerce import write_order
from customer_truth.generate.systems.logistics import assign_code, recycle_codes, write_tracking
from customer_truth.progress import Meter, say

GENERATOR_VERSION = "1.1.0"
CHUNK_BLOCKS = 16  # 1,024 persons per chunk; a constant, so chunking never changes the output
TRUTH_FILES = (
    "persons",
    "households",
    "identity_records",
    "events",
    "incidents",
    "erasures",
    "defects",
)


@dataclass(frozen=True)
class GenerationSummary:
    out: Path
    persons: int
    seed: int
    days: int
    batches: int
    files: int
    landing_rows: int
    truth_rows: dict[str, int]
    noise_counts: dict[str, int]
    defects: int


@dataclass
class ChunkOut:
    files: dict[FileKey, tuple[bytes, int]] = field(default_factory=dict)
    defects: list[tuple[FileKey, int, str, bool]] = field(default_factory=list)
    truth: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    tally: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Job:
    seed: int
    persons: int
    rates: dict[str, float]
    schedule: Schedule
    plan: LandingPlan
    activity: float


def _dump(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def _finalize_orders(life: Life, orders: list[Any]) -> None:
    life.process = "shop"
    for order, shipment, _ in orders:
        noise: tuple[str, ...] = ()
        if shipment is not None:
            assign_code(shipment, life.seed)
            order.fulfillments = [
                (ft, fid, shipment.carrier, shipment.code)
                for ft, fid, _c, _code in order.fulfillments
            ]
            for refs in shipment.refs:
                refs["tracking_code"] = shipment.code
            if shipment.recycled:
                noise = ("recycled_tracking_code",)
        write_order(life, order, shipment.journey_id if shipment else None, noise)
        if shipment is not None:
            write_tracking(life, shipment)


def _tally_record(rec: Record, lines: list[Line], tally: Counter[str]) -> None:
    for kind in rec.noise:
        tally[kind] += 1
    seen: set[int] = set()
    for ln in lines:
        if ln.kind == "duplicate":
            tally["duplicate_delivery"] += 1
        elif ln.kind == "late":
            tally["late_update"] += 1
        if id(ln.version) not in seen:
            seen.add(id(ln.version))
            for kind in ln.version.noise:
                tally[kind] += 1


def _person_truth(
    job: _Job, p: Person, life: Life, delivered: truth_mod.Delivered, out: ChunkOut
) -> set[str]:
    as_of = job.schedule.as_of
    found, orders = truth_mod.resolvable(delivered)
    repeats = truth_mod.repeat_contacts(p, delivered, as_of)
    landed_ids = {rec.record_id for rec, _ in delivered}
    t = out.truth
    person = truth_mod.person_row(p, as_of, delivered)
    t["persons"].append(_dump(person))
    # what other people hold too (a household landline, a family email, a work switchboard)
    shared_keys = {"email:" + e["address"].lower() for e in person["emails"] if e.get("shared")} | {
        "phone:" + ph["e164"] for ph in person["phones"] if ph.get("shared")
    }
    t["identity_records"].extend(
        _dump(r) for r in truth_mod.identity_rows(p, delivered, job.schedule, found)
    )
    t["events"].extend(_dump(r) for r in truth_mod.event_rows(delivered, found, orders))
    for inc in [i for i in life.incidents if i.began_at <= as_of] + repeats:
        row = truth_mod.incident_row(inc, as_of)
        refs = dict(row["refs"])
        for name in ("contact_ids", "charge_ids"):
            if name in refs:
                refs[name] = [x for x in refs[name] if x in landed_ids]
        if refs.get("ticket_id") and refs["ticket_id"] not in landed_ids:
            refs["ticket_id"] = None
        row["refs"] = refs
        t["incidents"].append(_dump(row))
    for er in life.erasures:
        if er["request_id"] in landed_ids:
            batch = next(
                ln.batch
                for rec, lines in delivered
                if rec.record_id == er["request_id"]
                for ln in lines
            )
            records, values = truth_mod.erasure_reach(er, delivered, shared_keys)
            t["erasures"].append(
                _dump(
                    {
                        **er,
                        "batch_id": job.schedule.batch_id("privacy", batch),
                        "reachable_records": [list(r) for r in records],
                        "reachable_values": values,
                    }
                )
            )
    keys: set[str] = set()
    for rec, _ in delivered:
        if rec.spec.identity:
            keys.update(rec.keys)
    return keys


def build_chunk(job: _Job, chunk: int) -> ChunkOut:
    """Everything chunk `chunk` contributes to landing and truth (a pure function)."""
    world = WorldCtx(job.seed, job.rates, job.schedule, job.activity)
    out = ChunkOut()
    by_file: dict[FileKey, list[Line]] = defaultdict(list)
    total_blocks = (job.persons + BLOCK - 1) // BLOCK
    for block in range(chunk * CHUNK_BLOCKS, min(total_blocks, (chunk + 1) * CHUNK_BLOCKS)):
        persons = make_block(job.seed, job.rates, block, job.persons)
        lives: list[tuple[Life, list[Any]]] = []
        for p in persons:
            life = Life(world, p)
            lives.append((life, live(life)))
        recycle_codes(
            job.seed,
            job.rates,
            [
                (life.person.forced, life.person.idx, s)
                for life, orders in lives
                for _, s, _ in orders
                if s is not None
            ],
        )
        loose: list[Record] = []  # records of no person: accounts, agents
        households: dict[str, list[Person]] = {}
        for life, orders in lives:
            _finalize_orders(life, orders)
            # once every record is written, so a request names only what the data holds by then
            privacy.erasure_request(life)
            hh = life.person.household
            if hh is not None:
                households.setdefault(hh.household_id, []).append(life.person)
        for members in households.values():
            acct = crm.household_account(world, members[0].household)  # type: ignore[arg-type]
            if acct is not None:
                loose.append(acct)
        if block == 0:
            loose += crm.business_accounts(world) + support.agents(world)
        keys_by_person: dict[int, set[str]] = {}
        for life, _ in lives:
            p = life.person
            delivered: truth_mod.Delivered = []
            for rec in life.records:
                lines = deliver(rec, job.schedule, job.seed, job.rates, p.forced, job.plan.files)
                if lines:
                    delivered.append((rec, lines))
                    _tally_record(rec, lines, out.tally)
                    for ln in lines:
                        by_file[(rec.spec.system, ln.batch, rec.spec.entity)].append(ln)
            keys_by_person[p.idx] = _person_truth(job, p, life, delivered, out)
        for rec in loose:
            for ln in deliver(rec, job.schedule, job.seed, job.rates, frozenset(), job.plan.files):
                by_file[(rec.spec.system, ln.batch, rec.spec.entity)].append(ln)
        for members in households.values():
            hh = members[0].household
            assert hh is not None
            out.truth["households"].append(
                _dump(truth_mod.household_row(hh, members, job.schedule.as_of))
            )
            union = set().union(*(keys_by_person[m.idx] for m in members))
            truth_mod.shared_identifier_tally(hh, union, out.tally)
    _serialize(job, chunk, by_file, out)
    return out


def _serialize(job: _Job, chunk: int, by_file: dict[FileKey, list[Line]], out: ChunkOut) -> None:
    planted: Counter[str] = Counter()
    pending_forced = [k for k in defect_mod.LINE_KINDS if job.rates[k] > 0] if chunk == 0 else []
    for key in sorted(by_file):
        system, batch, entity = key
        spec = SPEC[(system, entity)]
        lines = sorted(by_file[key], key=lambda ln: (ln.version.at, ln.record.record_id, ln.kind))
        rng = stream(job.seed, "defects", chunk, system, entity, batch)
        planter = Planter(spec, job.rates, rng, len(lines))
        columns = CSV_COLUMNS.get(entity, ())
        rows: list[bytes] = []
        for i, ln in enumerate(lines):
            payload = ln.version.payload
            raw = (
                to_csv(payload, columns) if spec.ext == "csv" else to_json(payload) + "\n"
            ).encode()
            kind = planter.pick(i)
            if kind is None and pending_forced:
                kind = next(
                    (
                        k
                        for k in pending_forced
                        if FORCED_TARGET[k] == (system, entity) and k in defect_mod.applicable(spec)
                    ),
                    None,
                )
            replace, extra = plant(spec, kind, payload, rng) if kind else (None, None)
            if kind and (replace or extra):
                here = len(rows) + (1 if extra else 0)
                out.defects.append((key, here, kind, kind in defect_mod.QUARANTINED))
                planted[kind] += 1
                if kind in pending_forced:
                    pending_forced.remove(kind)
            rows.append(replace or raw)
            if extra:
                rows.append(extra)
        out.files[key] = (b"".join(rows), len(rows))
    out.tally.update(planted)


# ---------------------------------------------------------------------------------------------
# Running chunks, in this process or in workers
# ---------------------------------------------------------------------------------------------

_WORKER_JOB: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job
    phones.warm()  # the validated number plans, once per worker


def _worker(chunk: int) -> ChunkOut:
    assert _WORKER_JOB is not None
    return build_chunk(_WORKER_JOB, chunk)


def _chunks(job: _Job, n_chunks: int, workers: int) -> Iterator[ChunkOut]:
    if workers <= 1 or n_chunks <= 1:
        for c in range(n_chunks):
            yield build_chunk(job, c)
        return
    # forkserver, not fork: a caller may hold threads (DuckDB, Splink, Dagster) and a process
    # forked from a threaded one can crash (a benchmark that ran FEBRL first segfaulted a worker)
    ctx = multiprocessing.get_context("forkserver")
    window = 2 * workers  # chunks in flight: bounds memory
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init_worker, initargs=(job,)
    ) as pool:
        pending: dict[int, Future[ChunkOut]] = {}
        nxt = 0
        for c in range(n_chunks):
            while nxt < n_chunks and len(pending) < window:
                pending[nxt] = pool.submit(_worker, nxt)
                nxt += 1
            yield pending.pop(c).result()


def generate_world(
    persons: int,
    seed: int,
    out: Path,
    *,
    days: int = 7,
    rates: NoiseRates | None = None,
    workers: int | None = None,
    overwrite: bool = False,
    activity: float = 1.0,
    progress: bool = False,
) -> GenerationSummary:
    """Write `out/landing/` (the seven systems and privacy, SOURCES.md layouts) and
    `out/truth/` (what is really behind them). Same arguments, same bytes.

    `activity` scales how often people browse, shop, call and write tickets (1 = the default
    world, about 24 landing lines per person); `workers` never changes the output.
    `progress` reports on stderr as chunks of persons are written (`customer_truth.progress`)."""
    if persons < 1:
        raise ValueError("persons must be at least 1")
    if activity <= 0:
        raise ValueError("activity must be above zero")
    rates = rates or NoiseRates()
    rate_map = rates.as_dict()
    out = Path(out)
    landing_dir, truth_dir = out / "landing", out / "truth"
    for d in (landing_dir, truth_dir):
        if d.exists() and any(d.iterdir()):
            if not overwrite:
                raise FileExistsError(
                    f"{d} already exists and is not empty (overwrite=True / --overwrite)"
                )
            shutil.rmtree(d)
    truth_dir.mkdir(parents=True, exist_ok=True)
    schedule = make_schedule(seed, days)
    plan = plan_files(seed, rate_map, schedule)
    job = _Job(seed, persons, rate_map, schedule, plan, activity)
    writer = LandingWriter(landing_dir, schedule, plan)
    truth_counts: Counter[str] = Counter()
    tally: Counter[str] = Counter()
    handles = {
        name: (truth_dir / f"{name}.jsonl").open("w", encoding="utf-8") for name in TRUTH_FILES
    }
    n_chunks = (persons + BLOCK * CHUNK_BLOCKS - 1) // (BLOCK * CHUNK_BLOCKS)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    meter = Meter("generate", persons, "persons") if progress else None
    if progress:
        say(
            f"generate: {persons:,} persons, seed {seed}, a full batch and {days} daily ones "
            f"per system, {n_chunks} chunk(s) of up to {BLOCK * CHUNK_BLOCKS:,} persons on "
            f"{workers} worker(s), into {out}"
        )
    try:
        for chunk_out in _chunks(job, n_chunks, workers):
            if meter is not None:
                meter.advance(min(BLOCK * CHUNK_BLOCKS, persons - meter.done))
            before = writer.append(chunk_out.files)
            for key, row, kind, quarantined in chunk_out.defects:
                system, batch, entity = key
                handles["defects"].write(
                    _dump(
                        {
                            "system": system,
                            "batch_id": schedule.batch_id(system, batch),
                            "file": SPEC[(system, entity)].file_name,
                            "line": before[key] + row + 1,
                            "kind": kind,
                            "quarantined": quarantined,
                        }
                    )
                    + "\n"
                )
                truth_counts["defects"] += 1
            for name, rows in chunk_out.truth.items():
                if rows:
                    handles[name].write("\n".join(rows) + "\n")
                    truth_counts[name] += len(rows)
            tally.update(chunk_out.tally)
        for planted in writer.finish():
            handles["defects"].write(_dump(planted) + "\n")
            truth_counts["defects"] += 1
            tally[planted["kind"]] += 1
    finally:
        for fh in handles.values():
            fh.close()
    tally["csv_bom"] += len(plan.bom)
    noise = {k: tally.get(k, 0) for k in KINDS}
    landing_rows = sum(writer.rows.values())
    manifest: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "persons": persons,
        "days": days,
        "activity": activity,
        "as_of": iso_z(schedule.as_of),
        "batches": {s: [schedule.batch_id(s, k) for k in range(days + 1)] for s in schedule.times},
        "rates": rate_map,
        "noise_counts": noise,
        "landing_rows": landing_rows,
        "landing_files": {
            f"{s}/{schedule.batch_id(s, k)}/{SPEC[(s, e)].file_name}": n
            for (s, k, e), n in sorted(writer.rows.items())
        },
        "truth_rows": {name: truth_counts.get(name, 0) for name in TRUTH_FILES},
    }
    (truth_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
    return GenerationSummary(
        out,
        persons,
        seed,
        days,
        len(schedule.times) * (days + 1),
        len(writer.paths),
        landing_rows,
        dict(manifest["truth_rows"]),
        noise,
        truth_counts["defects"],
    )
