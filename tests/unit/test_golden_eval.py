"""Golden-attribute accuracy against a hand-made truth: mapping, normalisation, scoring."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from customer_truth.evaluation.golden import evaluate_golden, format_golden_report
from customer_truth.warehouse import connect

PERSONS = [
    {
        "person_id": "P1",
        "given_name": "Robert",
        "family_name": "Müller",
        "birth_date": "1980-02-29",
        "emails": [
            {"address": "bob@example.com", "kind": "personal", "is_primary": True},
            {"address": "bob@work.example", "kind": "work", "is_primary": False},
        ],
        "phones": [{"e164": "+15550100001", "kind": "mobile", "is_primary": True}],
        "address_line1": "12 Main Street",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "US",
        "email_opt_in": True,
        "do_not_call": False,
    },
    {
        "person_id": "P2",
        "given_name": "Ann",
        "family_name": "Lee",
        "birth_date": None,
        "emails": [{"address": "ann@example.com", "kind": "personal", "is_primary": True}],
        "phones": [],
        "address_line1": "1 Oak Ave",
        "city": "Leeds",
        "region": None,
        "postal_code": "LS1 4AB",
        "country": "GB",
        "email_opt_in": False,
        "do_not_call": True,
    },
]

RECORDS = [
    {"system": "crm", "entity": "contacts", "record_id": "C1", "person_id": "P1"},
    {"system": "commerce", "entity": "customers", "record_id": "7", "person_id": "P1"},
    {"system": "support", "entity": "users", "record_id": "9", "person_id": "P2"},
    {"system": "digital", "entity": "anonymous_id", "record_id": "a-1", "person_id": "P2"},
    {"system": "crm", "entity": "contacts", "record_id": "C2", "person_id": "P2"},
]

CROSSWALK = {
    "source_system": ["crm", "commerce", "support", "digital", "crm"],
    "source_entity": ["contacts", "customers", "users", "anonymous_id", "contacts"],
    "source_record_id": ["C1", "7", "9", "a-1", "C2"],
    # ct_b holds one record of P1 and one of P2 plus P2's CRM contact: P2 has the majority
    "customer_id": ["ct_a", "ct_b", "ct_b", "ct_c", "ct_b"],
}

PROFILE = {
    "customer_id": ["ct_a", "ct_b", "ct_c"],
    "given_name": ["ROBERT ", "Anne", None],
    "family_name": ["Muller", "Lee", None],
    "email": [" Bob@Example.com", "ann@example.com", None],
    "phone": ["+15550100001", None, None],
    "birth_date": ["1980-02-29", None, None],
    "address_line1": ["12 main st.", "1 Oak Avenue", None],
    "city": ["springfield", "Leeds", None],
    "region": ["il", None, None],
    "postal_code": ["62701", "ls14ab", None],
    "country": ["us", "GB", None],
    "email_opt_in": [True, False, False],
    "do_not_call": [False, True, False],
}


@pytest.fixture
def truth_dir(tmp_path: Path) -> Path:
    for name, rows in (("persons.jsonl", PERSONS), ("identity_records.jsonl", RECORDS)):
        (tmp_path / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    return tmp_path


def frames() -> dict[str, pl.DataFrame]:
    return {
        "customer_profile": pl.DataFrame(PROFILE),
        "identity_crosswalk": pl.DataFrame(CROSSWALK),
    }


def test_each_customer_maps_to_the_person_holding_most_of_its_records(truth_dir: Path) -> None:
    result = evaluate_golden(frames(), truth_dir)
    assert result["customers"] == 3
    assert result["mapped_customers"] == 3
    assert result["persons_covered"] == 2


def test_values_compare_after_normalisation(truth_dir: Path) -> None:
    attributes = evaluate_golden(frames(), truth_dir)["attributes"]
    # ct_a is right everywhere after normalisation (case, spaces, accents, Street -> St)
    # ct_b: Anne is not Ann; ct_c (a fragment of P2) answers nothing
    assert attributes["given_name"] == {
        "evaluated": 3,
        "answered": 2,
        "correct": 1,
        "accuracy": round(1 / 3, 4),
        "precision": 0.5,
        "persons": 2,
        "person_accuracy": 0.5,
    }
    assert attributes["family_name"]["correct"] == 2
    assert attributes["address_line1"]["correct"] == 2
    assert attributes["postal_code"]["correct"] == 2
    assert attributes["country"]["correct"] == 2
    assert attributes["region"]["evaluated"] == 1  # P2 has no region: not scored
    assert attributes["region"]["correct"] == 1


def test_emails_and_phones_score_against_the_primary_and_any_own_value(truth_dir: Path) -> None:
    attributes = evaluate_golden(frames(), truth_dir)["attributes"]
    assert attributes["email"]["correct"] == 2
    assert attributes["phone"]["evaluated"] == 1  # P2 has no phone
    assert attributes["phone"]["correct"] == 1


def test_each_person_is_scored_once_through_the_customer_holding_most_of_its_records(
    truth_dir: Path,
) -> None:
    attributes = evaluate_golden(frames(), truth_dir)["attributes"]
    # P1 -> ct_a (a 1-1 tie with ct_b goes to the smaller id), P2 -> ct_b (2 of its 3 records)
    assert attributes["do_not_call"]["persons"] == 2
    assert attributes["do_not_call"]["person_accuracy"] == 1.0  # ct_c's miss is not counted
    assert attributes["family_name"]["person_accuracy"] == 1.0


def test_consent_is_scored_for_every_mapped_customer(truth_dir: Path) -> None:
    attributes = evaluate_golden(frames(), truth_dir)["attributes"]
    # ct_c says not opted in (right for P2) and may be called (wrong: P2 is do-not-call)
    assert attributes["email_opt_in"]["correct"] == 3
    assert attributes["do_not_call"]["correct"] == 2


def test_a_warehouse_connection_reads_the_marts(truth_dir: Path) -> None:
    con = connect(":memory:")
    con.execute("create schema marts")
    data = frames()
    con.register("profile_frame", data["customer_profile"])
    con.register("crosswalk_frame", data["identity_crosswalk"])
    con.execute("create table marts.dim_customer_profile as select * from profile_frame")
    con.execute("create table marts.bdg_identity_crosswalk as select * from crosswalk_frame")
    assert evaluate_golden(con, truth_dir) == evaluate_golden(frames(), truth_dir)


def test_the_report_has_one_line_per_attribute(truth_dir: Path) -> None:
    report = format_golden_report(evaluate_golden(frames(), truth_dir))
    assert "given_name" in report and "do_not_call" in report
    assert len(report.splitlines()) == 2 + 14
