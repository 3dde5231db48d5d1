"""Pairwise quality of an identity crosswalk against the generator's truth.

A pair is two records of one customer (predicted) or of one person (truth). Counted over the
records present in both the crosswalk and the truth; pairs are counted per group
(n (n - 1) / 2), true positives from the customer x person contingency table, so the cost is a
few group-bys, whatever the size of the clusters.

Two scopes are reported:
- `resolvable` (the headline): records whose person the landed data can tell. A digital
  anonymousId that no identify, alias or order ever tied to anyone (`linked: false` in the
  truth) carries no identifying data at all (random cookie, random IP per session): no
  resolver can place it, so counting it measures the generator, not the resolver.
- `all`: every record of the truth, unresolvable anonymousIds included.
Planted cases are checked separately: no household's members share a customer, and every
person's resolvable records are one customer. Given the identity records' attributes, split
persons are told apart by whether the data could have joined them: a record that shares no
email, phone, address, birth date or a full name nobody else carries with any other record of
its person has nothing but, at most, a namesake's name to tie it to its person.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from customer_truth.statements import statement

SQL = "evaluation/sql/crosswalk"  # one statement per file: evaluation/sql/crosswalk/<name>.sql

_TRUTH_COLUMNS = {
    "system": pl.String,
    "entity": pl.String,
    "record_id": pl.String,
    "person_id": pl.String,
    "status": pl.String,
    "linked": pl.Boolean,
}


def read_truth_records(truth_dir: Path) -> pl.DataFrame:
    """`identity_records.jsonl`: the true person of every identity-bearing record."""
    # an explicit schema: fields absent from a file (`linked` outside digital rows) read as null
    return pl.read_ndjson(truth_dir / "identity_records.jsonl", schema=_TRUTH_COLUMNS)


def _pairwise(con: duckdb.DuckDBPyConnection, *, resolvable_only: bool) -> dict[str, Any]:
    row = con.execute(
        statement(f"{SQL}/pairwise_counts"), {"resolvable_only": resolvable_only}
    ).fetchall()[0]
    assert row is not None
    records, predicted, actual, true_positive, customers, persons = (int(v) for v in row)
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "records": records,
        "customers": customers,
        "persons": persons,
        "predicted_pairs": predicted,
        "true_pairs": actual,
        "true_positive_pairs": true_positive,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def evaluate_crosswalk(
    crosswalk: pl.DataFrame, truth_dir: Path, attributes: pl.DataFrame | None = None
) -> dict[str, Any]:
    """Pairwise precision, recall and F1 of `crosswalk` (source_system, source_entity,
    source_record_id, customer_id) against `truth_dir/identity_records.jsonl`, plus the
    planted-case checks (households never one customer, a person's records one customer).

    `attributes` (optional; `ATTRIBUTES_SQL` over the warehouse) adds how many split persons are
    split only by records the data gives nothing but a shared name for."""
    truth = read_truth_records(truth_dir)
    predicted = crosswalk.select(
        pl.col("source_system").cast(pl.String),
        pl.col("source_entity").cast(pl.String),
        pl.col("source_record_id").cast(pl.String),
        pl.col("customer_id").cast(pl.String),
    )
    con = duckdb.connect()
    try:
        con.register("truth", truth)
        con.register("predicted", predicted)
        con.execute(statement(f"{SQL}/joined"))
        result: dict[str, Any] = {
            **_pairwise(con, resolvable_only=True),
            "all_records": _pairwise(con, resolvable_only=False),
            "truth_records": truth.height,
            "crosswalk_records": predicted.height,
        }
        households_path = truth_dir / "households.jsonl"
        if households_path.exists():
            result["households"] = _household_check(con, households_path)
        result["duplicates"] = _duplicate_check(con)
        if attributes is not None:
            con.register("attributes", attributes)
            result["duplicates"].update(_split_evidence(con))
    finally:
        con.close()
    return result


def _household_check(con: duckdb.DuckDBPyConnection, households_path: Path) -> dict[str, Any]:
    members = pl.DataFrame(
        [
            {"household_id": h["household_id"], "person_id": p}
            for line in households_path.read_text().splitlines()
            if line.strip()
            for h in [json.loads(line)]
            for p in h["member_person_ids"]
        ],
        schema={"household_id": pl.String, "person_id": pl.String},
    )
    con.register("household_members", members)
    row = con.sql(statement(f"{SQL}/households_merged")).fetchall()[0]
    assert row is not None
    return {
        "households": int(row[0]),
        "customers_holding_several_members": int(row[1]),
        "households_merged": int(row[2]),
    }


def _duplicate_check(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every person's resolvable records in one customer (planted duplicates included)."""
    row = con.sql(statement(f"{SQL}/persons_split")).fetchall()[0]
    assert row is not None
    return {
        "persons": int(row[0]),
        "persons_split": int(row[1]),
        "persons_with_duplicate_records": int(row[2]),
        "duplicates_split": int(row[3]),
    }


# The standardised attributes a split is judged by (read from the warehouse).
ATTRIBUTES_SQL = statement(f"{SQL}/record_attributes")


def _split_evidence(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Split persons, and those split only by records without evidence: a record outside its
    person's main customer that shares no email, phone, address, birth date, nor a full name no
    other person carries, with another record of that person."""
    row = con.sql(statement(f"{SQL}/persons_split_by_evidence")).fetchall()[0]
    assert row is not None
    split, with_evidence = (int(v) for v in row)
    return {
        "persons_split_with_evidence": with_evidence,
        "persons_split_name_only": split - with_evidence,
    }


def format_report(result: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    lines = [
        f"records: {result['records']} resolvable of {result['crosswalk_records']} in the "
        f"crosswalk ({result['truth_records']} in the truth)",
        f"pairwise precision {result['precision']:.4f}  recall {result['recall']:.4f}  "
        f"F1 {result['f1']:.4f}  (resolvable records)",
    ]
    every = result["all_records"]
    lines.append(
        f"pairwise precision {every['precision']:.4f}  recall {every['recall']:.4f}  "
        f"F1 {every['f1']:.4f}  (all records, unresolvable anonymousIds included)"
    )
    if "households" in result:
        h = result["households"]
        lines.append(
            f"households: {h['households_merged']} of {h['households']} have members merged "
            f"into one customer"
        )
    d = result["duplicates"]
    lines.append(
        f"persons split over several customers: {d['persons_split']} of {d['persons']}; "
        f"planted duplicates split: {d['duplicates_split']} of "
        f"{d['persons_with_duplicate_records']}"
    )
    if "persons_split_name_only" in d:
        lines.append(
            f"  of the split persons, {d['persons_split_name_only']} are split only by records "
            f"that share no email, phone, address, birth date or a name only that person carries "
            f"with the person's other records; {d['persons_split_with_evidence']} have evidence "
            f"that could have joined them"
        )
    return "\n".join(lines)
