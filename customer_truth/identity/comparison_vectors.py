"""Splink's comparison vectors, kept between runs: a day's run compares only the pairs that
involve a changed record, and every pair is scored again from the vectors kept.

A pair's comparison vector (its ``gamma_*`` levels) and the blocking rule that proposed it
(``match_key``) depend on the two records' features alone, so they stay valid while neither
record changes. Its score does not: term-frequency adjustments read frequencies over every
record. So each run

1. finds the changed records: those whose features row differs from the one the vectors were
   computed from (a whole-row difference, since some features, such as whether an email is
   shared, are counted over all records), new records included; the vectors of every pair that
   touches a changed or vanished record are dropped;
2. blocks exactly the pairs that touch a changed record, with Splink's own blocking SQL on split
   inputs: (changed, all) and (unchanged, changed), each ``l.unique_id < r.unique_id``, so the
   pairs, their orientation and their ``match_key`` are those a full run would find;
3. computes those pairs' vectors (Splink's comparison SQL) and adds them to the kept ones;
4. scores all vectors with the current term frequencies through Splink's own prediction SQL,
   each comparison's CASE expression replaced by the kept level.

The result equals a full ``predict()`` on the same features, pair for pair and bit for bit; a
first run is the same path with every record changed. The kept vectors hold every blocked pair,
below the score floor too: a frequency change may lift a pair above it. The state is valid for
one model structure (comparison levels, blocking rules, feature columns) and one Splink and
DuckDB version (``fingerprint``); anything else starts again from every record.

This module reaches into Splink's internals (blocking, comparison and prediction SQL, settings
attributes), so splink is pinned: the tests compare it with ``predict()``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import duckdb
import splink
from splink import DuckDBAPI, Linker
from splink.internals.blocking import (
    ExplodingBlockingRule,
    _columns_needed_for_blocking,
    block_using_rules_sqls,
)
from splink.internals.comparison_vector_values import (
    compute_comparison_vector_values_from_id_pairs_sqls,
)
from splink.internals.pipeline import CTEPipeline
from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

from customer_truth.identity import matching
from customer_truth.statements import statement

# the kept vectors of the previous run, and the features they were computed from (tables of the
# resolution's in-memory database when the warehouse held them)
KEPT_VECTORS = "kept_comparison_vectors"
KEPT_FEATURES = "kept_compared_features"
# every blocked pair's vector after a run (sql/vectors/all_vectors.sql)
VECTORS = "comparison_vectors"


@dataclass(frozen=True)
class Scored:
    """What ``score_pairs`` leaves on its connection, and what its vectors are valid for."""

    predictions: str  # the scored pairs above the floor, as predict() gives them
    vectors: str  # every blocked pair's vector, to keep for the next run
    fingerprint: str  # the model structure and engines they were computed with
    compared_records: int  # the records whose pairs were compared in this run


def fingerprint(linker: Linker) -> str:
    """What comparison vectors are valid for: the comparison levels of the model the linker
    scores with (the versioned one or one trained on the run: their m and u do not matter, their
    levels do), the blocking rules, the feature SQL and the engines that computed them."""
    settings = linker._settings_obj
    parts = {
        "comparisons": [
            [comparison.output_column_name, comparison._case_statement]
            for comparison in settings.comparisons
        ],
        "blocking_rules": matching.blocking_rules_json(),
        "features": statement("identity/sql/features"),
        "splink": splink.__version__,
        "duckdb": duckdb.__version__,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def score_pairs(
    con: duckdb.DuckDBPyConnection,
    features: str,
    settings: dict[str, Any],
    *,
    kept_fingerprint: str | None = None,
    floor: float = matching.SCORE_FLOOR,
) -> Scored:
    """Score every candidate pair of ``features`` on ``con`` (see the module docstring). With
    ``kept_fingerprint``, tables ``KEPT_VECTORS`` and ``KEPT_FEATURES`` on ``con`` hold the
    last run's state, computed under that fingerprint: used when it is this model's."""
    linker = matching.prediction_linker(DuckDBAPI(connection=con).register(features), settings)
    current = fingerprint(linker)
    kept = kept_fingerprint == current
    if kept:
        changed = statement("identity/sql/vectors/changed_records", features=features,
                            kept_features=KEPT_FEATURES)  # fmt: skip
    else:
        changed = statement("identity/sql/vectors/every_record_changed", features=features)
    con.execute(changed)
    con.execute(statement("identity/sql/vectors/unchanged_records", features=features))
    blocked = _block_pairs_touching_changed(con, linker, features)
    new_vectors = _compute_vectors(con, linker, blocked)
    gammas = [c for c in con.table(new_vectors).columns if c.startswith("gamma_")]
    con.execute(
        statement(
            "identity/sql/vectors/all_vectors",
            kept_vectors=KEPT_VECTORS if kept else None,
            features=features,
            new_vectors=new_vectors,
            gammas=tuple(gammas),
        )
    )
    compared = len(con.table("changed_features"))
    # what the vectors were made from is not needed again (one memory budget holds it all);
    # every record changed is a view of the features, not a copy
    done = [blocked, new_vectors, "unchanged_features"]
    if kept_fingerprint is not None:
        done += [KEPT_VECTORS, KEPT_FEATURES]
    for table in done:
        con.execute(statement("identity/sql/vectors/drop_table", relation=table))
    drop_changed = "drop_table" if kept else "drop_view"
    con.execute(statement(f"identity/sql/vectors/{drop_changed}", relation="changed_features"))
    predictions = _score_vectors(con, linker, VECTORS, gammas, floor)
    return Scored(predictions, VECTORS, current, compared)


def _block_pairs_touching_changed(
    con: duckdb.DuckDBPyConnection, linker: Linker, features: str
) -> str:
    """Splink's blocking SQL on (changed, all) and (unchanged, changed): exactly the full run's
    blocked pairs that involve a changed record, with its orientation and match keys."""
    settings = linker._settings_obj
    rules = settings._blocking_rules_to_generate_predictions
    source_dataset = settings.column_info_settings.source_dataset_input_column
    unique_id = settings.column_info_settings.unique_id_input_column
    db_api = linker._db_api
    parts = []
    for side, (left, right) in enumerate(
        [("changed_features", features), ("unchanged_features", "changed_features")]
    ):
        exploding = [rule for rule in rules if isinstance(rule, ExplodingBlockingRule)]
        for rule in exploding:  # as Splink's materialise_exploded_id_tables, on left x right
            columns = _columns_needed_for_blocking([*rule.preceding_rules, rule], source_dataset,
                                                   unique_id)  # fmt: skip
            arrays = [rule._input_column(c) for c in rule.array_columns_to_explode]
            others = [c.name for c in columns if c not in arrays]
            pipeline = CTEPipeline()
            for name, table in (("l", left), ("r", right)):
                pipeline.enqueue_sql(
                    db_api.sql_dialect.explode_arrays_sql(
                        table, rule.array_columns_to_explode, others
                    ),
                    f"__ct_unnested_{name}",
                )
            pipeline.enqueue_sql(
                rule.marginal_exploded_id_pairs_table_sql(
                    source_dataset_input_column=source_dataset,
                    unique_id_input_column=unique_id,
                    br=rule,
                    link_type="dedupe_only",
                    input_tablename_l="__ct_unnested_l",
                    input_tablename_r="__ct_unnested_r",
                ),
                f"__ct_exploded_pairs_{rule.match_key}_{side}",
            )
            rule.exploded_id_pair_table = db_api.sql_pipeline_to_splink_dataframe(pipeline)
        pipeline = CTEPipeline()
        pipeline.enqueue_list_of_sqls(
            block_using_rules_sqls(
                input_tablename_l=left,
                input_tablename_r=right,
                blocking_rules=rules,
                link_type="dedupe_only",
                source_dataset_input_column=source_dataset,
                unique_id_input_column=unique_id,
            )
        )
        parts.append(db_api.sql_pipeline_to_splink_dataframe(pipeline))
        for rule in exploding:
            rule.drop_materialised_id_pairs_dataframe()
    con.execute(statement("identity/sql/vectors/blocked_pairs", part=parts[0].physical_name))
    con.execute(statement("identity/sql/vectors/more_blocked_pairs", part=parts[1].physical_name))
    for part in parts:
        part.drop_table_from_database_and_remove_from_cache()
    return "blocked_pairs"


def _compute_vectors(con: duckdb.DuckDBPyConnection, linker: Linker, blocked: str) -> str:
    """The comparison vectors of the blocked pairs: ids, match_key and every gamma level."""
    settings = linker._settings_obj
    pipeline = CTEPipeline()
    # Splink's comparison SQL reads the blocked pairs under this name
    pipeline.enqueue_sql(
        statement("identity/sql/vectors/select_columns", columns="*", relation=blocked),
        "__splink__blocked_id_pairs",
    )
    enqueue_df_concat_with_tf(linker, pipeline)
    pipeline.enqueue_list_of_sqls(
        compute_comparison_vector_values_from_id_pairs_sqls(
            settings._columns_to_select_for_blocking,
            settings._columns_to_select_for_comparison_vector_values,
            input_tablename_l="__splink__df_concat_with_tf",
            input_tablename_r="__splink__df_concat_with_tf",
            source_dataset_input_column=settings.column_info_settings.source_dataset_input_column,
            unique_id_input_column=settings.column_info_settings.unique_id_input_column,
            link_type=settings._link_type,
            sql_dialect_str="duckdb",
        )
    )
    levels = tuple(comparison._gamma_column_name for comparison in settings.comparisons)
    pipeline.enqueue_sql(
        statement(
            "identity/sql/vectors/select_columns",
            columns=", ".join(("unique_id_l", "unique_id_r", "match_key", *levels)),
            relation="__splink__df_comparison_vectors",
        ),
        "__ct_new_vectors",
    )
    return str(linker._db_api.sql_pipeline_to_splink_dataframe(pipeline).physical_name)


def _score_vectors(
    con: duckdb.DuckDBPyConnection, linker: Linker, vectors: str, gammas: list[str], floor: float
) -> str:
    """Splink's prediction SQL over kept vectors: the comparison vectors table predict() would
    build, each comparison's CASE expression replaced by the kept level, the term frequencies
    those of the current records."""
    settings = linker._settings_obj
    level_of = {c._case_statement: c._gamma_column_name for c in settings.comparisons}
    unique_id = settings.column_info_settings.unique_id_input_column.name
    pipeline = CTEPipeline()
    enqueue_df_concat_with_tf(linker, pipeline)
    pipeline.enqueue_sql(
        statement(
            "identity/sql/vectors/vectors_with_columns",
            columns=tuple(settings._columns_to_select_for_blocking),
            levels=tuple(gammas),
            vectors=vectors,
            unique_id=unique_id,
        ),
        "blocked_with_cols",
    )
    vector_columns = tuple(
        level_of.get(c, c) for c in settings._columns_to_select_for_comparison_vector_values
    )
    pipeline.enqueue_sql(
        statement("identity/sql/vectors/select_columns", columns=", ".join(vector_columns),
                  relation="blocked_with_cols"),
        "__splink__df_comparison_vectors",
    )  # fmt: skip
    pipeline.enqueue_list_of_sqls(
        predict_from_comparison_vectors_sqls_using_settings(settings, floor)
    )
    return str(linker._db_api.sql_pipeline_to_splink_dataframe(pipeline).physical_name)
