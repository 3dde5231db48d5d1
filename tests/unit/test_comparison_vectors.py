"""Identity resolution keeps Splink's comparison vectors between runs: a run compares only the
pairs of changed records, and scores exactly what Splink's own predict() scores."""

from __future__ import annotations

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

    first, vectors = comparison_vectors.score_pairs(work, "features", model, kept=False)
    assert work.table(first).columns == expected_columns
    assert _rows(work, first) == expected
    # every blocked pair is kept, below the score floor too
    assert len(work.table(vectors)) > len(expected)

    # yesterday: 2% of the records were not there yet, 1% had another email
    work.execute(
        "create table yesterday as select * replace (case when hash(unique_id) % 100 = 3 "
        "then 'old-' || coalesce(email, '') else email end as email) "
        "from features where hash(unique_id) % 50 <> 7"
    )
    _, kept = comparison_vectors.score_pairs(work, "yesterday", model, kept=False)
    work.table(kept).create(comparison_vectors.KEPT_VECTORS)
    work.table("yesterday").create(comparison_vectors.KEPT_FEATURES)

    today, _ = comparison_vectors.score_pairs(work, "features", model, kept=True)
    assert work.table(today).columns == expected_columns
    assert _rows(work, today) == expected
    changed = len(work.table("changed_features"))
    assert 0 < changed < len(work.table("features")) / 10


def test_a_second_resolution_reads_the_kept_vectors_and_decides_the_same(
    warehouse: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    con = connect(copy)
    try:
        resolve.resolve_identities(con)
        first = con.sql("select * from identity.match_evidence").fetchall()
        state = con.sql("select fingerprint from identity.comparison_state").fetchall()
        assert state == [(comparison_vectors.fingerprint(),)]
        kept = con.sql("select count(*) from identity.comparison_vectors").fetchall()[0][0]
        assert kept > 0
        scored = []
        original = comparison_vectors.score_pairs

        def spy(*args: Any, **kwargs: Any) -> tuple[str, str]:
            scored.append(kwargs["kept"])
            return original(*args, **kwargs)

        comparison_vectors.score_pairs = spy  # type: ignore[assignment]
        try:
            resolve.resolve_identities(con)
        finally:
            comparison_vectors.score_pairs = original  # type: ignore[assignment]
        assert scored == [True]
        assert sorted(con.sql("select * from identity.match_evidence").fetchall(), key=repr) == (
            sorted(first, key=repr)
        )
    finally:
        con.close()
