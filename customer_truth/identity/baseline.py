"""The benchmark's baseline: plain Splink, set up the way Splink's own tutorials set it up.

Each data set's setup: the comment below the imports.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import polars as pl
import pyarrow as pa
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

from customer_truth.statements import statement

# One setup per data set, each on the standardised identity records the product resolves
# (`int_identity__records`), so both methods see the same fields:
#
# - `febrl4`: Splink's FEBRL4 example (docs/demos/examples/duckdb/febrl4, the "detailed model"),
#   without `soc_sec_id`, which no contract carries: `link_only` between the two deliveries;
#   names (`NameComparison`, term frequencies), date of birth, street number (exact, term
#   frequencies), postcode (Damerau-Levenshtein 1 and 2, term frequencies); blocking on both
#   names, swapped names, date of birth, state and street, street number and street, postcode;
#   the prior from "same names and date of birth" at recall 0.8; u by random sampling; m by
#   expectation maximisation blocked on date of birth, then on postcode.
# - `febrl3`: Splink's FEBRL3 example, without `soc_sec_id`: `dedupe_only`; the same
#   comparisons (postcode exact); blocking on given name, surname, date of birth, postcode; the
#   prior from "same names and date of birth" and "swapped names, same date of birth" at recall
#   0.9; EM on date of birth, then postcode.
# - `generic` (a generated enterprise world: names, birth dates, emails, phones, addresses):
#   Splink's deduplication quickstart with the world's contact fields added. Splink's docs on
#   blocking advise rules that are strict enough to keep each block small; the quickstart's
#   loose ones (a surname alone, an email alone) put household members and namesakes in front
#   of a model whose EM, blocked on names, learns "same household" as a match, and connected
#   components then chained the 100k world into one cluster (F1 0.0001 at 4eff35a). Here each
#   prediction rule combines two fields, and the clusters are cut at 0.99.
#
# Every setup predicts above 0.2 (the tutorials' threshold) and clusters the pairwise
# predictions with connected components (`cluster_pairwise_predictions_at_threshold`) at
# `cluster_threshold` (0.9 for FEBRL). No strong identifiers, guards or constrained clustering:
# that is what this project adds.

if TYPE_CHECKING:
    from splink.internals.blocking_rule_creator import BlockingRuleCreator
    from splink.internals.comparison_creator import ComparisonCreator

SQL = "identity/sql/baseline"  # customer_truth.statements


@dataclass(frozen=True)
class Setup:
    """One tutorial's setup: input, comparisons, blocking, training, thresholds."""

    name: str
    input_sql: str  # the records under the column names the setup's comparisons use
    link_type: Literal["link_only", "dedupe_only"]
    comparisons: list[ComparisonCreator | dict[str, Any]]
    blocking_rules: list[BlockingRuleCreator | dict[str, Any]]
    prior_rules: list[BlockingRuleCreator | str]
    prior_recall: float
    em_rules: list[BlockingRuleCreator]
    em_without_tf: bool
    cluster_threshold: float
    predict_threshold: float = 0.2
    # link_only: the column that says which input each record came from
    split_column: str | None = None
    # comparisons added only when the data has the column (the tutorials' data has no phone)
    optional_comparisons: dict[str, ComparisonCreator] = field(default_factory=dict)


def _febrl_dob() -> ComparisonCreator:
    return cl.DateOfBirthComparison(
        "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
    )


def febrl4_setup() -> Setup:
    return Setup(
        name="febrl4",
        input_sql=statement(f"{SQL}/febrl_input"),
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            _febrl_dob(),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        blocking_rules=[
            block_on("given_name", "surname"),
            CustomRule("l.given_name = r.surname and l.surname = r.given_name"),
            block_on("date_of_birth"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ],
        prior_rules=[block_on("given_name", "surname", "date_of_birth")],
        prior_recall=0.8,
        em_rules=[block_on("date_of_birth"), block_on("postcode")],
        em_without_tf=True,
        cluster_threshold=0.9,
        split_column="delivery",
        optional_comparisons={"phone": cl.ExactMatch("phone")},
    )


def febrl3_setup() -> Setup:
    return Setup(
        name="febrl3",
        input_sql=statement(f"{SQL}/febrl_input"),
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            _febrl_dob(),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        blocking_rules=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        prior_rules=[
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name "
            "and l.date_of_birth = r.date_of_birth",
        ],
        prior_recall=0.9,
        em_rules=[block_on("date_of_birth"), block_on("postcode")],
        em_without_tf=False,
        cluster_threshold=0.9,
        optional_comparisons={"phone": cl.ExactMatch("phone")},
    )


def generic_setup() -> Setup:
    return Setup(
        name="generic",
        input_sql=statement(f"{SQL}/generic_input"),
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
        # each rule two fields: no block of everyone at one address or of one surname
        blocking_rules=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("email", "first_name"),
            block_on("phone", "first_name"),
            block_on("postcode", "first_name"),
        ],
        prior_rules=[block_on("first_name", "surname", "dob"), block_on("email", "first_name")],
        prior_recall=0.7,
        em_rules=[block_on("first_name", "surname"), block_on("street", "postcode")],
        em_without_tf=False,
        cluster_threshold=0.99,
        predict_threshold=0.2,
    )


SETUPS = {"febrl4": febrl4_setup, "febrl3": febrl3_setup, "generic": generic_setup}


def _populated(frame: pa.Table, column: str) -> bool:
    return frame.num_rows > 0 and frame[column].null_count < frame.num_rows


def run_splink_baseline(
    records: pa.Table, setup: Setup | None = None
) -> tuple[pl.DataFrame, float]:
    """Cluster `records` (rows of int_identity__records) with plain Splink under `setup`
    (default: the generic one).

    Returns (record_uid -> cluster_id, seconds from registration to clusters).
    """
    setup = setup or generic_setup()
    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.perf_counter()
    con = duckdb.connect()
    try:
        con.register("records", records)
        frame = con.sql(setup.input_sql).arrow().read_all()
        comparisons: list[ComparisonCreator | dict[str, Any]] = list(setup.comparisons) + [
            comparison
            for column, comparison in setup.optional_comparisons.items()
            if _populated(frame, column)
        ]
        settings = SettingsCreator(
            link_type=setup.link_type,
            comparisons=comparisons,
            blocking_rules_to_generate_predictions=setup.blocking_rules,
            retain_intermediate_calculation_columns=False,
        )
        db_api = DuckDBAPI(connection=con)
        if setup.split_column:
            con.register("baseline_frame", frame)
            parts = [
                db_api.register(
                    con.sql(
                        statement(f"{SQL}/input_part", column=setup.split_column),
                        params={"part": part},
                    )
                    .arrow()
                    .read_all(),
                    table_name=f"baseline_input_{number}",
                )
                for number, part in enumerate(sorted(set(frame[setup.split_column].to_pylist())))
            ]
            linker = Linker(parts, settings)
        else:
            linker = Linker(db_api.register(frame, table_name="baseline_input"), settings)
        linker.training.estimate_probability_two_random_records_match(
            setup.prior_rules,
            recall=setup.prior_recall,
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        for rule in setup.em_rules:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=setup.em_without_tf
            )
        predictions = linker.inference.predict(threshold_match_probability=setup.predict_threshold)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=setup.cluster_threshold
        )
        # the table name is Splink's own, not data
        result = con.sql(statement(f"{SQL}/clusters", table=clusters.physical_name)).pl()
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
