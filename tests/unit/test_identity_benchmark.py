"""The identity benchmark's FEBRL landing zones and the baseline's setups."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from customer_truth.benchmarks.identity import (
    _CRM_COLUMNS,
    _contact_line,
    write_febrl3_world,
    write_febrl4_world,
)
from customer_truth.contracts import SYSTEMS, contracts_of
from customer_truth.identity.baseline import febrl3_setup, febrl4_setup, generic_setup


def _contacts(landing: Path) -> dict[str, list[dict[str, str]]]:
    batches = {}
    for folder in sorted((landing / "crm").iterdir()):
        with (folder / "contacts.csv").open(encoding="utf-8", newline="") as handle:
            batches[folder.name] = list(csv.DictReader(handle))
    return batches


def _manifest(landing: Path, system: str, batch: str) -> dict[str, object]:
    manifest: dict[str, object] = json.loads(
        (landing / system / batch / "_SUCCESS").read_text(encoding="utf-8")
    )
    return manifest


def test_febrl4_files_a_and_b_arrive_as_two_crm_contact_deliveries(tmp_path: Path) -> None:
    landing, truth = write_febrl4_world(tmp_path / "febrl4")
    batches = _contacts(landing)
    assert [len(rows) for rows in batches.values()] == [5000, 5000]
    first, second = sorted(batches)
    assert _manifest(landing, "crm", first)["mode"] == "full"
    assert _manifest(landing, "crm", second)["mode"] == "incremental"
    ids = [row["Id"] for rows in batches.values() for row in rows]
    assert len(set(ids)) == 10000 and {len(i) for i in ids} == {18}
    # both files carry the birth date (a contract field of CRM contacts, not of Stripe's)
    for rows in batches.values():
        assert sum(bool(row["Birthdate"]) for row in rows) > 4500
    truth_rows = [json.loads(line) for line in (truth / "identity_records.jsonl").open()]
    assert {row["system"] for row in truth_rows} == {"crm"}
    assert len({row["person_id"] for row in truth_rows}) == 5000


def test_febrl3_duplicates_arrive_in_one_crm_delivery_with_febrl_persons(tmp_path: Path) -> None:
    landing, truth = write_febrl3_world(tmp_path / "febrl3")
    batches = _contacts(landing)
    assert [len(rows) for rows in batches.values()] == [5000]
    truth_rows = [json.loads(line) for line in (truth / "identity_records.jsonl").open()]
    # rec-N-org and its rec-N-dup-k are one person: 2,000 persons in 5,000 records
    assert len({row["person_id"] for row in truth_rows}) == 2000


def test_every_contract_system_delivers_a_complete_full_first_batch(tmp_path: Path) -> None:
    landing, _ = write_febrl3_world(tmp_path / "febrl3")
    for system in SYSTEMS:
        if system == "privacy":
            continue
        batch = sorted(p.name for p in (landing / system).iterdir())[0]
        manifest = _manifest(landing, system, batch)
        assert manifest["mode"] == "full"
        files = manifest["files"]
        assert isinstance(files, dict)
        assert set(files) == {c.file_name for c in contracts_of(system)}


def test_a_febrl_phone_number_goes_into_the_contact_phone() -> None:
    row = {
        "given_name": "michaela", "surname": "neumann", "street_number": "8",
        "address_1": "stanley street", "address_2": "miami", "suburb": "winston hills",
        "postcode": "4223", "state": "nsw", "date_of_birth": "19151111",
        "phone_number": "02 1234 5678",
    }  # fmt: skip
    line = _contact_line("003FA0000000000000", row, "2025-01-01T00:00:00.000+0000")
    values = dict(zip(_CRM_COLUMNS, next(csv.reader([line])), strict=True))
    assert values["Phone"] == "02 1234 5678"
    assert values["Birthdate"] == "1915-11-11"
    assert values["MailingStreet"] == "8 stanley street\nmiami"


def _sql(rule: object) -> str:
    if isinstance(rule, str):
        return rule
    if isinstance(rule, dict):
        return str(rule["blocking_rule"])
    return str(rule.get_blocking_rule("duckdb").blocking_rule_sql)  # type: ignore[attr-defined]


def test_baselines_follow_the_tutorials_without_soc_sec_id() -> None:
    for setup in (febrl3_setup(), febrl4_setup(), generic_setup()):
        rules = [_sql(rule) for rule in [*setup.blocking_rules, *setup.prior_rules]]
        assert not any("soc_sec_id" in rule for rule in rules)
    assert febrl4_setup().link_type == "link_only"
    assert febrl3_setup().link_type == "dedupe_only"


def test_the_generic_baseline_blocks_on_two_fields_per_rule() -> None:
    # regression: single-field rules (a surname, an email alone) chained the 100k world into
    # one cluster (F1 0.0001)
    for rule in generic_setup().blocking_rules:
        sql = _sql(rule)
        assert sql.count(" AND ") + sql.count(" and ") >= 1, sql


def test_the_febrl_input_reads_street_number_and_street_apart_from_the_address_line() -> None:
    records = pa.Table.from_pylist(
        [
            {
                "record_uid": "r1",
                "source_record_id": "rec-a-1",
                "given_name_std": "ann",
                "family_name_std": "lee",
                "birth_date": date(1980, 2, 3),
                "address_line1": " 12  Oak St",
                "region": "NSW",
                "postal_code": "2000",
                "phone": None,
            }
        ]
    )
    with duckdb.connect() as con:
        con.register("records", records)
        (row,) = con.sql(febrl4_setup().input_sql).arrow().read_all().to_pylist()
    assert row == {
        "unique_id": "r1",
        "delivery": "rec-a",
        "given_name": "ann",
        "surname": "lee",
        "date_of_birth": "19800203",
        "street_number": "12",
        "address_1": "Oak St",
        "state": "nsw",
        "postcode": "2000",
        "phone": None,
    }
