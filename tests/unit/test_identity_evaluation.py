"""Pairwise evaluation of a crosswalk against the generator's truth, on hand-made data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from customer_truth.evaluation.crosswalk import evaluate_crosswalk, format_report


def _truth(folder: Path) -> Path:
    rows = [
        # P1: four records, one of them an anonymousId no data ties to anyone
        ("crm", "contacts", "c1", "P1", None),
        ("commerce", "customers", "1", "P1", None),
        ("digital", "user_id", "1", "P1", True),
        ("digital", "anonymous_id", "a9", "P1", False),
        # P2 and P3: one household
        ("crm", "contacts", "c2", "P2", None),
        ("billing", "customers", "cus_2", "P2", None),
        ("crm", "contacts", "c3", "P3", None),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "identity_records.jsonl").open("w") as handle:
        for system, entity, record_id, person, linked in rows:
            row: dict[str, Any] = {"system": system, "entity": entity, "record_id": record_id,
                   "person_id": person, "status": "live"}  # fmt: skip
            if linked is not None:
                row["linked"] = linked
            handle.write(json.dumps(row) + "\n")
    (folder / "households.jsonl").write_text(
        json.dumps({"household_id": "H1", "member_person_ids": ["P2", "P3"]}) + "\n"
    )
    return folder


def _crosswalk(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["source_system", "source_entity", "source_record_id", "customer_id"],
        orient="row",
    )


def test_pairs_are_counted_per_cluster_and_scored_against_the_persons(tmp_path: Path) -> None:
    crosswalk = _crosswalk(
        [
            ("crm", "contacts", "c1", "A"),
            ("commerce", "customers", "1", "A"),
            ("digital", "user_id", "1", "B"),  # P1 split: loses 2 of 3 true pairs
            ("digital", "anonymous_id", "a9", "Z"),
            ("crm", "contacts", "c2", "C"),
            ("billing", "customers", "cus_2", "C"),
            ("crm", "contacts", "c3", "C"),  # household merged: 2 false pairs
            ("crm", "contacts", "not-in-truth", "C"),  # ignored
        ]
    )
    result = evaluate_crosswalk(crosswalk, _truth(tmp_path / "truth"))
    # resolvable records: true pairs P1 3 + P2 1 = 4; predicted A 1 + C 3 = 4; TP 1 + 1 = 2
    assert result["true_pairs"] == 4
    assert result["predicted_pairs"] == 4
    assert result["true_positive_pairs"] == 2
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(0.5)
    assert result["f1"] == pytest.approx(0.5)
    # all records: the unresolvable anonymousId adds 3 true pairs nobody can find
    assert result["all_records"]["true_pairs"] == 7
    assert result["all_records"]["recall"] == pytest.approx(2 / 7)
    assert result["households"]["households_merged"] == 1
    assert result["duplicates"]["persons_split"] == 1
    assert "F1 0.5000" in format_report(result)


def test_a_perfect_crosswalk_scores_one(tmp_path: Path) -> None:
    crosswalk = _crosswalk(
        [
            ("crm", "contacts", "c1", "A"),
            ("commerce", "customers", "1", "A"),
            ("digital", "user_id", "1", "A"),
            ("digital", "anonymous_id", "a9", "D"),
            ("crm", "contacts", "c2", "B"),
            ("billing", "customers", "cus_2", "B"),
            ("crm", "contacts", "c3", "C"),
        ]
    )
    result = evaluate_crosswalk(crosswalk, _truth(tmp_path / "truth"))
    assert (result["precision"], result["recall"], result["f1"]) == (1.0, 1.0, 1.0)
    assert result["households"]["households_merged"] == 0


def _attributes(rows: list[tuple[str, str, str, str, str, str | None, list[str]]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(*row, None, None) for row in rows],
        schema={
            "source_system": pl.String, "source_entity": pl.String,
            "source_record_id": pl.String, "given_name_std": pl.String,
            "family_name_std": pl.String, "email": pl.String, "phones": pl.List(pl.String),
            "address_key": pl.String, "birth_date": pl.Date,
        },
        orient="row",
    )  # fmt: skip


def test_split_persons_are_told_by_whether_any_evidence_could_have_joined_them(
    tmp_path: Path,
) -> None:
    truth = _truth(tmp_path / "truth")
    # P1's user_id record is split off; P3 is a namesake of P1 (John Lee)
    crosswalk = _crosswalk(
        [
            ("crm", "contacts", "c1", "A"),
            ("commerce", "customers", "1", "A"),
            ("digital", "user_id", "1", "B"),
            ("crm", "contacts", "c2", "C"),
            ("billing", "customers", "cus_2", "C"),
            ("crm", "contacts", "c3", "D"),
        ]
    )
    names_only = _attributes(
        [
            ("crm", "contacts", "c1", "john", "lee", "jl@mail.com", []),
            ("commerce", "customers", "1", "john", "lee", "jl@mail.com", []),
            ("digital", "user_id", "1", "john", "lee", "other@mail.com", []),
            ("crm", "contacts", "c3", "john", "lee", None, []),
        ]
    )
    result = evaluate_crosswalk(crosswalk, truth, names_only)["duplicates"]
    assert (result["persons_split_name_only"], result["persons_split_with_evidence"]) == (1, 0)

    # the split-off record shares a phone with P1's crm contact: the data could have joined it
    shared_phone = names_only.with_columns(
        pl.when(
            pl.col("source_record_id").is_in(["c1", "1"]) & (pl.col("source_entity") != "customers")
        )
        .then(pl.lit(["+12125550100"]))
        .otherwise(pl.col("phones"))
        .alias("phones")
    )
    result = evaluate_crosswalk(crosswalk, truth, shared_phone)
    assert (
        result["duplicates"]["persons_split_name_only"],
        result["duplicates"]["persons_split_with_evidence"],
    ) == (0, 1)
    assert "1 have evidence that could have joined them" in format_report(result)

    # a name nobody else carries is evidence enough...
    unique_name = names_only.filter(pl.col("source_record_id") != "c3")
    result = evaluate_crosswalk(crosswalk, truth, unique_name)["duplicates"]
    assert result["persons_split_with_evidence"] == 1
    # ...when the person's other records carry it too (a misspelt name is unique, and no evidence)
    misspelt = unique_name.with_columns(
        pl.when(pl.col("source_entity") == "user_id")
        .then(pl.lit("jhon"))
        .otherwise(pl.col("given_name_std"))
        .alias("given_name_std")
    )
    result = evaluate_crosswalk(crosswalk, truth, misspelt)["duplicates"]
    assert result["persons_split_name_only"] == 1
