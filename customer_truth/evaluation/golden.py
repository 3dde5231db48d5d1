"""Golden-attribute accuracy: how often a customer's golden record says what is true.

Each customer is mapped to the truth person holding the majority of its records (the truth's
``identity_records.jsonl`` names the person behind every identity-bearing record; ties go to the
smallest person id). For every golden attribute, accuracy is the share of mapped customers whose
truth value is not null and whose golden value equals it after normalisation (a missing golden
value counts as wrong). Emails and phones are scored twice: against the person's primary one
(``email``, ``phone``) and against any of the person's own (``email_any``, ``phone_any``).
``precision`` is the share right among customers whose golden record answers at all: it scores
survivorship apart from resolution's coverage (a fragment of a person with no name lowers
accuracy, not precision). ``person_accuracy`` scores each truth person once, through the customer
holding most of the person's records (the one an agent looking the person up would see).

Normalisation compares what the contract says must be comparable, nothing looser: names and
cities lower-cased, trimmed and without accents; street lines also without punctuation and with
the common street-type words abbreviated (Street -> st); postal codes upper-case without
spaces; regions and countries upper-case.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from customer_truth.statements import statement

PROFILE_TABLE = "marts.dim_customer_profile"
CROSSWALK_TABLE = "marts.bdg_identity_crosswalk"
SQL = "evaluation/sql/golden"  # one statement per file: evaluation/sql/golden/<name>.sql

# attribute -> (truth expression, golden expression, comparison: eq or in), rendered into
# sql/golden/scored.sql; expressions are constants here, over the _norm_* macros of sql/golden/
COMPARISONS: dict[str, tuple[str, str, str]] = {
    "given_name": ("_norm_text(truth.given_name)", "_norm_text(golden.given_name)", "eq"),
    "family_name": ("_norm_text(truth.family_name)", "_norm_text(golden.family_name)", "eq"),
    "email": ("truth.primary_email", "golden.email", "eq"),
    "email_any": ("truth.all_emails", "golden.email", "in"),
    "phone": ("truth.primary_phone", "golden.phone", "eq"),
    "phone_any": ("truth.all_phones", "golden.phone", "in"),
    "birth_date": ("truth.birth_date", "golden.birth_date", "eq"),
    "address_line1": (
        "_norm_street(truth.address_line1)",
        "_norm_street(golden.address_line1)",
        "eq",
    ),
    "city": ("_norm_text(truth.city)", "_norm_text(golden.city)", "eq"),
    "region": ("_norm_code(truth.region)", "_norm_code(golden.region)", "eq"),
    "postal_code": ("_norm_code(truth.postal_code)", "_norm_code(golden.postal_code)", "eq"),
    "country": ("_norm_code(truth.country)", "_norm_code(golden.country)", "eq"),
    "email_opt_in": ("truth.email_opt_in", "golden.email_opt_in", "eq"),
    "do_not_call": ("truth.do_not_call", "golden.do_not_call", "eq"),
}


def _register_inputs(con: duckdb.DuckDBPyConnection, source: Any) -> None:
    """Make ``_profile`` and ``_crosswalk`` views from a warehouse or from frames."""
    if isinstance(source, duckdb.DuckDBPyConnection):
        profile = source.sql(f"select * from {PROFILE_TABLE}").to_arrow_table()  # noqa: S608 (constant)
        crosswalk = source.sql(
            f"select source_system, source_entity, source_record_id, customer_id "  # noqa: S608
            f"from {CROSSWALK_TABLE}"
        ).to_arrow_table()
    elif isinstance(source, Mapping):
        profile = source["customer_profile"]
        crosswalk = source["identity_crosswalk"]
    else:
        raise TypeError("expected a DuckDB connection or a mapping of frames")
    con.register("_profile", profile)
    con.register("_crosswalk", crosswalk)


def evaluate_golden(con_or_frames: Any, truth_dir: Path) -> dict[str, Any]:
    """Golden-attribute accuracy per attribute against ``truth_dir``'s persons.

    ``con_or_frames`` is a connection to the warehouse (reads ``marts.dim_customer_profile`` and
    ``marts.bdg_identity_crosswalk``) or a mapping with ``customer_profile`` and
    ``identity_crosswalk`` frames (pandas, polars or arrow), as published.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        _register_inputs(con, con_or_frames)
        for macro in ("norm_text", "norm_code", "norm_street"):
            con.execute(statement(f"{SQL}/{macro}"))
        con.execute(
            statement(f"{SQL}/persons"), {"persons": str(Path(truth_dir) / "persons.jsonl")}
        )
        con.execute(
            statement(f"{SQL}/truth_records"),
            {"records": str(Path(truth_dir) / "identity_records.jsonl")},
        )
        comparisons = tuple((name, *expressions) for name, expressions in COMPARISONS.items())
        con.execute(statement(f"{SQL}/scored", comparisons=comparisons))
        totals = con.execute(
            "select count(*), count(person_id), count(distinct person_id) from _scored"
        ).fetchone()
        assert totals is not None
        per_attribute: dict[str, dict[str, float | int]] = {}
        for attribute in COMPARISONS:
            # column names come from COMPARISONS in code, never from data
            row = con.execute(statement(f"{SQL}/attribute_counts", attribute=attribute)).fetchone()
            assert row is not None
            evaluated, correct, answered, persons, person_correct = (int(v) for v in row)
            per_attribute[attribute] = {
                "evaluated": evaluated,
                "answered": answered,
                "correct": correct,
                "accuracy": round(correct / evaluated, 4) if evaluated else float("nan"),
                # right when it answers at all: survivorship apart from resolution's coverage
                "precision": round(correct / answered, 4) if answered else float("nan"),
                # per person: the person's main customer (what an agent looking them up sees)
                "persons": persons,
                "person_accuracy": (
                    round(person_correct / persons, 4) if persons else float("nan")
                ),
            }
        scored = [
            value["accuracy"]
            for name, value in per_attribute.items()
            if value["evaluated"] and not name.endswith("_any")
        ]
        return {
            "customers": int(totals[0]),
            "mapped_customers": int(totals[1]),
            "persons_covered": int(totals[2]),
            "attributes": per_attribute,
            "mean_accuracy": round(sum(scored) / len(scored), 4) if scored else float("nan"),
        }
    finally:
        con.close()


def format_golden_report(result: dict[str, Any]) -> str:
    """A few lines for the terminal: one per attribute."""
    lines = [
        f"golden attributes: {result['customers']} customers, "
        f"{result['persons_covered']} persons; mean accuracy {result['mean_accuracy']:.3f}",
        f"  {'attribute':<14} {'accuracy':>8} {'precision':>9} {'per person':>10} {'scored':>7}",
    ]
    for name, scores in result["attributes"].items():
        lines.append(
            f"  {name:<14} {scores['accuracy']:>8.3f} {scores['precision']:>9.3f} "
            f"{scores['person_accuracy']:>10.3f} {scores['evaluated']:>7}"
        )
    return "\n".join(lines)
