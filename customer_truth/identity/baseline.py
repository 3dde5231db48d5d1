"""A plain Splink baseline, set up the way Splink's tutorials do, for the benchmark.

Fellegi-Sunter on the standardised identity records: Splink's comparison library (names,
date of birth, email, phone, postcode, city, street) with term-frequency adjustments,
the prior from deterministic rules, u from random sampling, m by expectation maximisation on
two blocking rules (names; street and postcode), `predict` above a low weight, then
`cluster_pairwise_predictions_at_threshold` (connected components at 0.95). No strong
identifiers, guards or constrained clustering: that is what this project adds.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pyarrow as pa
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

if TYPE_CHECKING:
    from splink.internals.blocking_rule_creator import BlockingRuleCreator

CLUSTER_THRESHOLD = 0.95

# The records' standardised attributes under the column names of Splink's tutorials.
INPUT_SQL = """
select
    record_uid as unique_id,
    given_name_std as first_name,
    family_name_std as surname,
    strftime(birth_date, '%Y-%m-%d') as dob,
    email,
    phone,
    postal_code_std as postcode,
    city_std as city,
    address_street_std as street,
from records
"""


def _settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("street", [0.9, 0.7]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("email"),
            block_on("phone"),
            block_on("postcode", "first_name"),
            block_on("street", "postcode"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def _populated(frame: pa.Table, column: str) -> bool:
    return frame.num_rows > 0 and frame[column].null_count < frame.num_rows


def run_splink_baseline(records: pa.Table) -> tuple[pl.DataFrame, float]:
    """Cluster `records` (rows of int_identity__records) with plain Splink.

    Returns (record_uid -> cluster_id, seconds from registration to clusters).
    """
    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.perf_counter()
    con = duckdb.connect()
    try:
        con.register("records", records)
        frame = con.sql(INPUT_SQL).arrow().read_all()
        db_api = DuckDBAPI(connection=con)
        linker = Linker(db_api.register(frame, table_name="baseline_input"), _settings())
        prior_rules: list[str | BlockingRuleCreator] = [
            block_on("first_name", "surname", "dob"),
            block_on("email"),
        ]
        if _populated(frame, "street"):
            prior_rules.append(block_on("first_name", "surname", "street"))
        linker.training.estimate_probability_two_random_records_match(prior_rules, recall=0.7)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        # names, then the address: each session trains the comparisons it does not block on
        em_rules = [block_on("first_name", "surname"), block_on("street", "postcode")]
        for rule in em_rules:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        predictions = linker.inference.predict(threshold_match_weight=-10)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=CLUSTER_THRESHOLD
        )
        # the table name is Splink's own, not data
        sql = f"select unique_id, cluster_id from {clusters.physical_name}"  # noqa: S608
        result = con.sql(sql).pl()
    finally:
        con.close()
    seconds = time.perf_counter() - started
    return (
        result.select(
            pl.col("unique_id").cast(pl.String).alias("record_uid"),
            pl.col("cluster_id").cast(pl.String).alias("cluster_key"),
        ),
        seconds,
    )
