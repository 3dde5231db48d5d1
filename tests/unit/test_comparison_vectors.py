"""Identity resolution keeps Splink's comparison vectors between runs: a run compares only the
pairs of changed records, and scores exactly what Splink's own predict() scores."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import duckdb
import pytest

from customer_truth.identity import comparison_vectors, matching, resolve
from customer_truth.statements import statement
from customer_truth.warehouse import connect
from tests.identity_inputs import build_identity_inputs

pytestmark = pytest.mark.xdist_group("comparison_vectors")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated world's identity inputs, built by dbt."""
    return build_identity_inputs(tmp_path_factory.mktemp("vectors"), 300, 11)


def _features(path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding the model's input, as resolution builds it."""
    work = duckdb.connect()
    source = duckdb.connect(str(path), read_only=True)
    try:
        for name, relation in (
            ("all_records", "intermediate.int_identity__records"),
            ("identifier_usage", "intermediate.int_identity__identifier_usage"),
        ):
            work.from_arrow(source.table(relation).arrow()).create(name)
    finally:
        source.close()
    run = resolve._runner(work)
    run("merge_survivors")
    run("matchable_records")
    work.sql(statement("identity/sql/features")).create("features")
    return work


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[Any, ...]]:
    return sorted(con.table(table).fetchall(), key=repr)


def test_scores_from_kept_vectors_are_predicts_and_only_changed_records_are_compared(
    warehouse: Path,
) -> None:
    work = _features(warehouse)
    model = matching.load_model()
    reference = work.table(matching.score_pairs_on(work, "features", model))
    expected_columns, expected = reference.columns, sorted(reference.fetchall(), key=repr)
    assert expected

    first = comparison_vectors.score_pairs(work, "features", model)
    assert work.table(first.predictions).columns == expected_columns
    assert _rows(work, first.predictions) == expected
    # every blocked pair is kept, below the score floor too
    assert len(work.table(first.vectors)) > len(expected)
    assert first.compared_records == len(work.table("features"))

    # yesterday: 2% of the records were not there yet, 1% had another email
    work.execute(
        "create table yesterday as select * replace (case when hash(unique_id) % 100 = 3 "
        "then 'old-' || coalesce(email, '') else email end as email) "
        "from features where hash(unique_id) % 50 <> 7"
    )
    kept = comparison_vectors.score_pairs(work, "yesterday", model)
    assert kept.fingerprint == first.fingerprint

    def keep_yesterdays_state() -> None:
        work.table(kept.vectors).create(comparison_vectors.KEPT_VECTORS)
        work.table("yesterday").create(comparison_vectors.KEPT_FEATURES)

    keep_yesterdays_state()
    today = comparison_vectors.score_pairs(
        work, "features", model, kept_fingerprint=kept.fingerprint
    )
    assert work.table(today.predictions).columns == expected_columns
    assert _rows(work, today.predictions) == expected
    assert 0 < today.compared_records < len(work.table("features")) / 10

    # vectors kept under another model structure are set aside: every record is compared
    kept = comparison_vectors.score_pairs(work, "yesterday", model)
    keep_yesterdays_state()
    other = comparison_vectors.score_pairs(
        work, "features", model, kept_fingerprint="another model"
    )
    assert other.compared_records == len(work.table("features"))
    assert _rows(work, other.predictions) == expected


def test_the_fingerprint_follows_the_models_comparison_levels_not_its_weights() -> None:
    """A model trained on the run keeps the levels (its vectors stay valid); a model whose
    comparisons differ (the retraining job's, another version) does not."""
    from splink import DuckDBAPI

    con = duckdb.connect()
    con.execute("create table features as select 'a' as unique_id")
    frame = DuckDBAPI(connection=con).register("features")
    model = matching.load_model()
    base = comparison_vectors.fingerprint(matching.prediction_linker(frame, model))
    reweighted = copy.deepcopy(model)
    for comparison in reweighted["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("m_probability"):
                level["m_probability"] = level["m_probability"] / 2
    assert comparison_vectors.fingerprint(matching.prediction_linker(frame, reweighted)) == base
    fewer = copy.deepcopy(model)
    fewer["comparisons"] = fewer["comparisons"][:-1]
    assert comparison_vectors.fingerprint(matching.prediction_linker(frame, fewer)) != base
    relevelled = copy.deepcopy(model)
    levels = relevelled["comparisons"][0]["comparison_levels"]
    levels[1], levels[2] = levels[2], levels[1]
    assert comparison_vectors.fingerprint(matching.prediction_linker(frame, relevelled)) != base


def test_a_second_resolution_compares_no_pair_again_and_decides_the_same(
    warehouse: Path, tmp_path: Path
) -> None:
    copy_path = tmp_path / "warehouse.duckdb"
    copy_path.write_bytes(warehouse.read_bytes())
    con = connect(copy_path)
    compared: list[int] = []
    original = comparison_vectors.score_pairs

    def spy(*args: Any, **kwargs: Any) -> comparison_vectors.Scored:
        scored = original(*args, **kwargs)
        compared.append(scored.compared_records)
        return scored

    try:
        summary = resolve.resolve_identities(con)
        matchable = con.sql("select count(*) from identity.compared_features").fetchall()[0][0]
        assert summary.compared_records == matchable > 0
        first = sorted(con.sql("select * from identity.match_evidence").fetchall(), key=repr)
        kept = con.sql("select count(*) from identity.comparison_vectors").fetchall()[0][0]
        assert kept > 0
        comparison_vectors.score_pairs = spy  # type: ignore[assignment]
        try:
            resolve.resolve_identities(con)
            # a full refresh sets the kept vectors aside and compares every record again
            resolve.resolve_identities(con, compare_all=True)
        finally:
            comparison_vectors.score_pairs = original  # type: ignore[assignment]
        records = con.sql("select count(*) from identity.compared_features").fetchall()[0][0]
        assert compared == [0, records]
        again = sorted(con.sql("select * from identity.match_evidence").fetchall(), key=repr)
        assert again == first
    finally:
        con.close()
