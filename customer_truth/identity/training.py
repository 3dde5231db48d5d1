"""Retrain the Splink model on a warehouse's identity records and write it to `models/`.

    python -m customer_truth.identity.training --warehouse PATH [--out PATH]

Reproducible, and trained on the enterprise's own evidence where it has some:
- the prior (probability that two random records match) from deterministic rules that admit
  almost no false positives (same personal email and given name, same name and birth date);
- u (how often non-matches agree by chance) from a seeded random sample of pairs;
- m (how often matches agree) from LABELS when the data holds enough: pairs of records of
  different systems tied by strong identifiers (a Zendesk external_id or Stripe metadata
  naming a CRM contact, a Segment userId naming a Shopify customer, ...) and merged CRM
  duplicates. These are matches we know, so their agreement rates are the m probabilities.
  Why not expectation maximisation: in data with households, EM blocked on address or family
  name learns "same household" as the match class (it measured m = 0.21 for "same family name,
  other given name"), and then links household members. EM remains the fallback for data
  without strong identifiers (public benchmarks).
- levels no label ever reached get a small floor instead of zero, so a never-seen variation
  (a typo in a birth date) weighs against a match instead of vetoing it.
The result is written as Splink JSON; commit it so every run scores with the same model.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, block_on

from customer_truth.identity import matching
from customer_truth.statements import statement
from customer_truth.warehouse import connect

U_SAMPLE_PAIRS = 1e7
SEED = 20260301
# Fewer known matches than this: estimate m by expectation maximisation instead.
MIN_LABEL_PAIRS = 500
# m floor for levels never observed among the known matches.
M_FLOOR = 0.002
# Label pairs come from deterministic components up to this size (bounded pair count).
MAX_COMPONENT_FOR_LABELS = 12

# Rules for the prior: pairs these admit are almost surely one person. Each with the
# feature columns it needs: a rule on an empty column is skipped.
_PRIOR_RULES = [
    (
        "l.email = r.email and not l.email_is_shared and l.given_name = r.given_name",
        ("email", "given_name"),
    ),
    (
        "l.given_name = r.given_name and l.family_name = r.family_name "
        "and l.birth_date = r.birth_date",
        ("given_name", "family_name", "birth_date"),
    ),
    (
        "l.given_name = r.given_name and l.family_name = r.family_name "
        "and l.address_key = r.address_key",
        ("given_name", "family_name", "address_key"),
    ),
]
# EM sessions (the fallback): each estimates m for every comparison it does not block on, and
# Splink averages a comparison's m over the sessions that estimate it. A session selects pairs
# that agree on its blocking field, and where each record has a bounded number of errors those
# pairs carry more errors elsewhere: the name's m from the address session alone came out
# 0.35 for "exact" on FEBRL4 (0.49 among its true pairs). A birth-date session (as Splink's
# FEBRL examples train) gives names and addresses a second, independent estimate.
_EM_RULES = [
    (block_on("given_name", "family_name"), ("given_name", "family_name")),
    (block_on("email"), ("email",)),
    (block_on("address_key"), ("address_key",)),
    (block_on("postal_code", "substr(given_name, 1, 1)"), ("postal_code", "given_name")),
    (block_on("birth_date"), ("birth_date",)),
]
# A column counts as present when at least this share of records has it.
_PRESENT_SHARE = 0.05


def _present(features: pa.Table, columns: tuple[str, ...]) -> bool:
    rows = max(features.num_rows, 1)
    return all(1 - features[column].null_count / rows >= _PRESENT_SHARE for column in columns)


def train_model(
    features: pa.Table,
    labels: pa.Table | None = None,
    *,
    prior_recall: float = 0.6,
    version: str = matching.MODEL_VERSION,
) -> dict[str, Any]:
    """Train the model on a features table (`matching.build_features`) and, when there are
    enough, known matching pairs `labels` (unique_id_l, unique_id_r); return its settings."""
    logging.getLogger("splink").setLevel(logging.WARNING)
    scratch = duckdb.connect()
    scratch.execute("set TimeZone = 'UTC'")
    try:
        db_api = DuckDBAPI(connection=scratch)
        frame = db_api.register(features, table_name="identity_features")
        linker = Linker(frame, matching.settings_creator())
        linker.training.estimate_probability_two_random_records_match(
            [rule for rule, columns in _PRIOR_RULES if _present(features, columns)],
            recall=prior_recall,
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
        if labels is not None and labels.num_rows >= MIN_LABEL_PAIRS:
            db_api.register(labels, table_name="identity_labels")
            linker.training.estimate_m_from_pairwise_labels("identity_labels")
            method = f"m from {labels.num_rows} known matching pairs"
        else:
            for rule, columns in _EM_RULES:
                if _present(features, columns):
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        rule, estimate_without_term_frequencies=True
                    )
            method = "m by expectation maximisation"
        settings: dict[str, Any] = floor_m_probabilities(linker.misc.save_model_to_json())
        settings["probability_two_random_records_match"] = _self_consistent_prior(
            scratch, frame, settings, features.num_rows
        )
    finally:
        scratch.close()
    settings["linker_uid"] = version
    settings["training"] = {"method": method, "records": features.num_rows, "seed": SEED}
    return settings


def _self_consistent_prior(
    con: duckdb.DuckDBPyConnection,
    frame: Any,
    settings: dict[str, Any],
    records: int,
    rounds: int = 6,
) -> float:
    """The prior that agrees with the model's own predictions: the expected number of
    matches (the sum of match probabilities over every candidate pair) divided by the number
    of possible pairs, iterated to a fixed point. Deterministic rules only give a starting
    point: they count the pairs that agree exactly and guess their recall, which under-counts
    wherever attributes are noisy (FEBRL: by a factor of seven)."""
    total_pairs = records * (records - 1) / 2
    prior = float(settings["probability_two_random_records_match"])
    for _ in range(rounds):
        settings["probability_two_random_records_match"] = prior
        linker = Linker(frame, settings)
        predictions = linker.inference.predict(threshold_match_probability=1e-6)
        # the table name is Splink's own, not data
        table = predictions.physical_name
        sql = f"select coalesce(sum(match_probability), 0) from {table}"  # noqa: S608
        expected = float(con.sql(sql).fetchall()[0][0])
        updated = min(max(expected / total_pairs, 1e-9), 0.5)
        if abs(updated - prior) <= 0.01 * prior:
            return updated
        prior = updated
    return prior


def floor_m_probabilities(settings: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    """Give every non-null level an m of at least `floor` (renormalised per comparison)."""
    for comparison in settings["comparisons"]:
        levels = [
            level for level in comparison["comparison_levels"] if not level.get("is_null_level")
        ]
        for level in levels:
            m = level.get("m_probability")
            level["m_probability"] = max(float(m) if m is not None else 0.0, floor)
        total = sum(level["m_probability"] for level in levels)
        for level in levels:
            level["m_probability"] = level["m_probability"] / total
            if level.get("u_probability") is None:
                level["u_probability"] = floor  # never seen among random pairs either
    return settings


def training_data(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table]:
    """(features of every record, known matching pairs) from a warehouse's identity models."""
    work = duckdb.connect()
    try:
        for name, relation in (
            ("identity_records", "int_identity__records"),
            ("identifier_usage", "int_identity__identifier_usage"),
            ("links", "int_identity__deterministic_links"),
        ):
            sql = f"select * from intermediate.{relation}"  # noqa: S608 - constant names
            work.register(name, con.sql(sql).arrow().read_all())
        features = matching.build_features(work)
        labels = (
            work.sql(
                statement("identity/sql/training_labels"),
                params={"max_size": MAX_COMPONENT_FOR_LABELS},
            )
            .arrow()
            .read_all()
        )
        return features, labels
    finally:
        work.close()


def retrain(warehouse: Path, out: Path = matching.DEFAULT_MODEL_PATH) -> Path:
    """The retraining job: read a built warehouse, train, write the model JSON to `out`."""
    con = connect(warehouse)
    try:
        features, labels = training_data(con)
    finally:
        con.close()
    settings = train_model(features, labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=matching.DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    path = retrain(args.warehouse, args.out)
    print(f"wrote {path} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
