"""Two ``customer-truth run`` on one home at once: they queue, and each release's log names
exactly the batches whose rows it holds.

Regression (hostile timing, finding 2): the warehouse lock was taken step by step, so run B
ingested a new batch and rebuilt staging and identity between run A's gate and A's publication;
A's ``publication_log`` row listed that batch although A's release held none of its rows.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg

from customer_truth.publication import reader
from customer_truth.publication.log import STATUS_PUBLISHED, read_entries
from customer_truth.settings import Settings
from dagster_project.publication.assets import PAUSE_BEFORE_PUBLISH
from tests.integration.conftest import World, copy_world
from tests.landing_builder import write_batch

NEW_CONTACT_ID = "003CONCURRENTRUN01"
# what run A itself has new to take in (the world's own run saw every other batch)
A_CONTACT = ("003CONCURRENTRUN0A", "Ilse", "Brandvold", "ilse.brandvold@posteo.net")
B_CONTACT = (NEW_CONTACT_ID, "Mara", "Quillfeather", "mara.quillfeather@fastmail.com")
# B's own ingestion of the new batch: it ran while A was paused before publishing
B_INGESTED = re.compile(r"crm: loaded [1-9]\d* new batch")


def _start(settings: Settings, out: Path, **extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != PAUSE_BEFORE_PUBLISH}
    env.update(
        CUSTOMER_TRUTH_LANDING=str(settings.landing),
        CUSTOMER_TRUTH_HOME=str(settings.home),
        **extra,
    )
    with out.open("w") as handle:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "customer_truth.cli", "run"],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
        )


def _wait_for(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _land_a_new_crm_contact(landing: Path, contact: tuple[str, str, str, str]) -> str:
    """An incremental crm batch, later than any, holding one new contact (id, first and last
    name, email); returns its batch id."""
    crm = landing / "crm"
    latest = max(p for p in crm.iterdir() if (p / "_SUCCESS").exists())
    with (latest / "contacts.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.DictReader(handle)
        header = list(rows.fieldnames or [])
        row = next(rows)
    extracted = datetime.strptime(latest.name, "%Y%m%dT%H%M%SZ") + timedelta(minutes=1)
    batch_id = extracted.strftime("%Y%m%dT%H%M%SZ")
    modified = extracted.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    contact_id, first_name, last_name, email = contact
    row.update(
        Id=contact_id,
        FirstName=first_name,
        LastName=last_name,
        Email=email,
        CreatedDate=modified,
        LastModifiedDate=modified,
        IsDeleted="false",
    )
    for field in ("Phone", "MobilePhone", "HomePhone"):
        if field in row:
            row[field] = ""
    text = io.StringIO()
    writer = csv.DictWriter(text, header, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    write_batch(
        landing, "crm", batch_id, {"contacts.csv": text.getvalue().encode()}, mode="incremental"
    )
    return batch_id


def test_two_runs_at_once_queue_and_each_log_names_the_batches_its_rows_hold(
    world: World, tmp_path: Path
) -> None:
    # two day-to-day runs on a copy of the world, whose own run saw every batch so far
    settings = copy_world(world.root, tmp_path / "world")
    releases_before = len(read_entries(settings.published))
    pause = tmp_path / "a-paused-before-publishing"

    # A: a run with one new batch of its own, held between its gate and its publication
    _land_a_new_crm_contact(settings.landing, A_CONTACT)
    run_a = _start(settings, tmp_path / "a.log", **{PAUSE_BEFORE_PUBLISH: str(pause)})
    _wait_for(
        lambda: pause.exists() or run_a.poll() is not None, "run A to reach its publication", 600
    )
    assert pause.exists(), (tmp_path / "a.log").read_text()[-3000:]
    run_a_id = pause.read_text()

    # meanwhile a new batch lands and B starts
    batch = f"crm/{_land_a_new_crm_contact(settings.landing, B_CONTACT)}"
    run_b = _start(settings, tmp_path / "b.log")

    def b_waits_or_went_ahead() -> bool:
        text = (tmp_path / "b.log").read_text()
        return (
            "waiting for run" in text or bool(B_INGESTED.search(text)) or run_b.poll() is not None
        )

    _wait_for(b_waits_or_went_ahead, "run B to wait for A, or to ingest", 600)
    pause.unlink()  # A goes on
    assert run_a.wait(timeout=900) == 0, (tmp_path / "a.log").read_text()[-3000:]
    assert run_b.wait(timeout=900) == 0, (tmp_path / "b.log").read_text()[-3000:]
    b_log = (tmp_path / "b.log").read_text()

    # each release's landing_batches name the new batch exactly when its rows hold the contact
    entries = read_entries(settings.published)[releases_before:]
    published = [e for e in entries if e.status == STATUS_PUBLISHED]
    by_id = {r.publication_id: r for r in reader.releases(settings)}
    holds = {}
    for entry in published:
        crosswalk = reader.read_table(
            settings, "identity_crosswalk", release=by_id[entry.publication_id]
        )
        held = crosswalk.column("source_record_id").to_pylist()
        holds[entry.publication_id] = NEW_CONTACT_ID in held
        assert (batch in entry.landing_batches) == holds[entry.publication_id], (
            f"release {entry.publication_id} lists {batch}: {batch in entry.landing_batches}, "
            f"holds its contact: {holds[entry.publication_id]}"
        )
    # A published what its gate saw (the world without the batch), then B the batch
    assert [e.publication_id for e in published] == [run_a_id, published[-1].publication_id]
    assert holds == {run_a_id: False, published[-1].publication_id: True}

    # the runs did not interleave: B's Dagster run started after A's ended, and B said why it
    # waited
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        records = sorted(instance.get_run_records(), key=lambda r: r.create_timestamp)
    assert len(records) == 3  # the world's own run, then A and B
    first, second = records[1:]
    assert first.dagster_run.run_id == run_a_id
    assert first.end_time is not None and second.start_time is not None
    assert first.end_time <= second.start_time, "run B started while run A was running"
    assert f"waiting for run {run_a_id}" in b_log
