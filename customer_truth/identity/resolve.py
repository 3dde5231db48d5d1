"""Identity resolution, end to end: which identity records are one person.

Its inputs, outputs, layers and where its SQL lives: the comment below the imports.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow.parquet as pq

from customer_truth.identity import clustering, comparison_vectors, matching, training
from customer_truth.identity.clustering import Thresholds
from customer_truth.settings import load_settings
from customer_truth.statements import statement
from customer_truth.warehouse import connect, memory_lent

# `resolve_identities(con)` reads the dbt models `intermediate.int_identity__records`,
# `int_identity__deterministic_links` and `int_identity__identifier_usage` from the warehouse and
# writes, in schema `identity`:
#
# - `record_clusters`: one row per resolved record: its `cluster_key` (one per person in this run;
#   stable ids are made downstream), the rule or model that attached it, its score;
# - `match_evidence`: every deterministic link and every model-scored pair above the score floor,
#   with the decision (`linked`, `cut_by_guard`, `below_threshold`) and the guard that cut it;
# - `review_queue`: pairs near the threshold and likely matches a guard refused, for a human;
# - `comparison_vectors`, `compared_features`, `comparison_state`: the Splink comparison vector
#   of every blocked pair and the features it was computed from, kept so that the next run
#   compares only the pairs of changed records (`comparison_vectors.py`); scores are the same.
#
# Layers: (1) deterministic links from strong identifiers, (2) the versioned Splink model on
# everything the blocking rules propose, (3) pair guards (a pair whose only common ground is a
# shared identifier or a household address, with no personal evidence, never links), (4)
# constrained clustering (`clustering`). Merged-away CRM contacts follow their master; deleted
# records attach to the customer of their strongest link, and are absent when they have none.
# This is the one place that decides where merged and deleted records belong: the golden records
# (`int_customer_records_linked`) take what it assigns.
#
# Set work runs in DuckDB: Splink and the guards on one in-memory connection, which the inputs
# enter as arrow and the outputs leave as Parquet files; the warehouse connection lends its
# memory budget meanwhile, then writes the three tables from those files. The SQL is
# data, one statement per file in `sql/resolve/` (`customer_truth/statements.py`); this module
# runs them in order around what needs Python: Splink's scoring and the constrained clustering.

# Order in which deterministic rules are applied (most trustworthy first); others follow.
_RULE_PRIORITY = [
    "crm_contact_id:zendesk_external_id",
    "crm_contact_id:stripe_metadata",
    "commerce_customer_id:segment_user_id",
    "commerce_customer_id:stripe_metadata",
    "anonymous_id:segment_identify",
    "anonymous_id:segment_alias",
    "anonymous_id:order_note_attribute",
    "anonymous_id:segment_signed_in_message",
    "email:personal",
]
# Systems that hold one email per person: two of their records with different verified
# emails are two people (a Zendesk end-user is identified by the address tickets answer to).
ONE_EMAIL_PER_PERSON_SYSTEMS = ("support",)
# Data without any strong identifier and at least this many records gets a model of its own.
MIN_RECORDS_TO_TRAIN_ON_RUN = 1000


@dataclass(frozen=True)
class ResolutionSummary:
    records: int
    live_records: int
    resolved_records: int
    clusters: int
    deterministic_links: int
    scored_pairs: int
    model_links: int
    cut_by_guard: int
    review_pairs: int
    # the records whose pairs were compared (blocked, their comparison vectors computed) in this
    # run: every record on a first run or a full refresh, the changed ones otherwise
    compared_records: int
    model_version: str
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Scoring:
    """How the in-memory resolution scored: the model version, what its comparison vectors are
    valid for, and how many records it compared."""

    model_version: str
    fingerprint: str
    compared_records: int


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return con.sql(sql).pl()


def resolve_identities(
    con: duckdb.DuckDBPyConnection,
    *,
    model_path: Path | None = None,
    thresholds: Thresholds | None = None,
    compare_all: bool = False,
) -> ResolutionSummary:
    """Resolve the warehouse's identity records into persons (see the comment below the imports).
    ``compare_all``: compare every pair again, not only those of changed records (a full
    refresh); the scores are the same either way."""
    started = time.perf_counter()
    thresholds = thresholds or Thresholds()
    resolved_at = datetime.now(UTC)

    # the inputs move to the in-memory database as arrow, a table at a time: copied into its
    # buffer pool (the budget, spilled past it), the arrow copy dropped at once; the outputs
    # leave it as Parquet files in the spill folder, which the warehouse reads once it is closed
    inputs = {
        "all_records": "intermediate.int_identity__records",
        "links_input": "intermediate.int_identity__deterministic_links",
        "identifier_usage": "intermediate.int_identity__identifier_usage",
    }
    settings = load_settings()
    settings.duckdb_temp.mkdir(parents=True, exist_ok=True)
    outputs = Path(tempfile.mkdtemp(prefix="identity-", dir=settings.duckdb_temp))
    # the comparison vectors the last run kept, unless told to compare every pair again
    kept_fingerprint = None if compare_all else _kept_comparison_state(con)
    if kept_fingerprint is not None:
        inputs[comparison_vectors.KEPT_VECTORS] = "identity.comparison_vectors"
        inputs[comparison_vectors.KEPT_FEATURES] = "identity.compared_features"
    try:
        work = connect(":memory:", settings)
        try:
            with memory_lent(con, settings):
                for name, relation in inputs.items():
                    # relation names are the constants above; streamed a batch at a time
                    rows = con.sql(f"select * from {relation}").fetch_record_batch()  # noqa: S608
                    work.from_arrow(rows).create(name)
                    del rows
                scoring = _resolve_in_memory(
                    work, model_path, thresholds, kept_fingerprint=kept_fingerprint
                )
                files = _export_outputs(work, outputs, thresholds, resolved_at)
                counts = _counts(work, files["review_queue"])
        finally:
            work.close()
        _write_outputs(con, files, scoring.fingerprint)
    finally:
        shutil.rmtree(outputs, ignore_errors=True)
    return ResolutionSummary(
        **counts,
        compared_records=scoring.compared_records,
        model_version=scoring.model_version,
        seconds=time.perf_counter() - started,
    )


def _kept_comparison_state(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the comparison vectors the warehouse keeps, if it keeps any."""
    try:
        rows = con.sql(statement("identity/sql/resolve/kept_comparison_state")).fetchall()
    except duckdb.CatalogException:
        return None
    return str(rows[0][0]) if rows else None


def _choose_model(work: duckdb.DuckDBPyConnection, model_path: Path | None) -> dict[str, Any]:
    """The versioned model, unless the data is nothing like the enterprise it was trained on.

    The versioned model learnt its agreement rates from an enterprise's strong-identifier links.
    Data that holds no strong identifier at all (a public record-linkage benchmark, an export of
    one file) has another population and another noise: for it the retraining job's own recipe
    (seeded, so the run is reproducible) trains a model on the data being resolved, as a new
    enterprise would before its first run. An explicit `model_path` is always used as given.
    """
    if model_path is not None:
        return matching.load_model(model_path)
    strong_links = work.sql(
        "select count(*) from links_input where guard_reason is null and rule not like 'email:%'"
    ).fetchall()[0][0]
    if strong_links == 0 and len(work.table("features")) >= MIN_RECORDS_TO_TRAIN_ON_RUN:
        return training.train_model(
            work.table("features").arrow().read_all(),
            version=f"{matching.MODEL_VERSION}-trained-on-this-data",
        )
    return matching.load_model(None)


def _resolve_in_memory(
    work: duckdb.DuckDBPyConnection,
    model_path: Path | None,
    thresholds: Thresholds,
    *,
    kept_fingerprint: str | None = None,
) -> Scoring:
    """The statements of ``sql/resolve/`` in order, around Splink's scoring and clustering; the
    model version that scored."""
    run = _runner(work)
    run("merge_survivors")
    run("matchable_records")
    work.sql(statement("identity/sql/features")).create("features")
    settings = _choose_model(work, model_path)
    version = matching.model_version(settings)

    # scored from comparison vectors: those kept of unchanged pairs, new ones for the rest
    scored = comparison_vectors.score_pairs(
        work, "features", settings, kept_fingerprint=kept_fingerprint
    )
    work.table(scored.predictions).create_view("predictions")
    run("guarded_pairs")
    run("deterministic_links", priority=_RULE_PRIORITY)
    run("edges", version=version)
    run("nodes", systems=list(ONE_EMAIL_PER_PERSON_SYSTEMS))
    live_nodes = _fetch(work, "select * exclude (node, record_uid) from nodes order by node")
    live_edges = work.sql(
        statement("identity/sql/resolve/live_edges"), params={"link": thresholds.link}
    ).pl()
    # the clustering is Python's: meanwhile the in-memory database spills what it holds, and
    # the clusters enter it as tables, so that Python holds nothing of them afterwards
    with memory_lent(work):
        roots, decisions = clustering.cluster(
            live_nodes,
            live_edges,
            thresholds,
            birth_dates_are_conclusive=matching.birth_dates_are_conclusive(settings),
        )
    del live_nodes, live_edges
    nodes = pl.DataFrame({"root": roots}, schema={"root": pl.Int64}).with_row_index("node")
    work.from_arrow(nodes.to_arrow()).create("roots")
    work.from_arrow(decisions.to_arrow()).create("decisions")
    del roots, decisions, nodes
    run("assignments")
    _attach_and_label(run, thresholds)
    work.sql(statement("identity/sql/resolve/match_evidence")).create("evidence")
    return Scoring(version, scored.fingerprint, scored.compared_records)


def _runner(work: duckdb.DuckDBPyConnection) -> Callable[..., None]:
    """Runs ``sql/resolve/<name>.sql`` on ``work`` with its parameters."""

    def run(name: str, **parameters: object) -> None:
        work.execute(statement(f"identity/sql/resolve/{name}"), parameters or None)

    return run


def _attach_and_label(run: Callable[..., None], thresholds: Thresholds) -> None:
    """Deleted records join the customer of their strongest acceptable link to a live record;
    merged-away records join their survivor's. Every record gets the rule that attached it."""
    run("edge_decisions", link=thresholds.link)
    run("deleted_attachments", link=thresholds.link)
    run("live_clusters")
    run("best_link")
    run("clustered")
    run("merged_attachments")


def _review_parameters(thresholds: Thresholds) -> dict[str, float]:
    return {"low": thresholds.review_low, "strong": thresholds.strong, "link": thresholds.link}


def _counts(work: duckdb.DuckDBPyConnection, review_queue: Path) -> dict[str, int]:
    """What this resolution did (``ResolutionSummary`` but the model and the time); the review
    queue counted in its exported file's metadata (its query runs once)."""
    row = work.sql(statement("identity/sql/resolve/summary")).fetchall()[0]
    return {
        "records": len(work.table("all_records")),
        "live_records": int(row[0]),
        "resolved_records": int(row[1]),
        "clusters": int(row[2]),
        "deterministic_links": int(row[3]),
        "scored_pairs": int(row[4]),
        "model_links": int(row[5]),
        "cut_by_guard": int(row[6]),
        "review_pairs": pq.ParquetFile(review_queue).metadata.num_rows,
    }


def _export_outputs(
    work: duckdb.DuckDBPyConnection, folder: Path, thresholds: Thresholds, resolved_at: datetime
) -> dict[str, Path]:
    """The three output tables as Parquet files in ``folder``: written by DuckDB a row group at
    a time, never whole in Python (a 1M-person world's evidence is millions of rows)."""
    rows = {
        "record_clusters": work.sql(
            statement("identity/sql/resolve/record_clusters"), params={"resolved_at": resolved_at}
        ),
        "match_evidence": work.table("evidence"),
        "review_queue": work.sql(
            statement("identity/sql/resolve/review_queue"), params=_review_parameters(thresholds)
        ),
        "comparison_vectors": work.table(comparison_vectors.VECTORS),
        "compared_features": work.table("features"),
    }
    files = {}
    for name, relation in rows.items():
        files[name] = folder / f"{name}.parquet"
        relation.write_parquet(str(files[name]))
    return files


def _write_outputs(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path], fingerprint: str
) -> None:
    """Replace the identity tables (and the kept comparison state) in one transaction."""
    con.execute("create schema if not exists identity")
    try:
        con.execute("begin transaction")
        con.execute(statement("identity/sql/resolve/write_record_clusters"))
        con.execute(
            statement("identity/sql/resolve/fill_record_clusters"),
            {"path": str(files["record_clusters"])},
        )
        for name in ("match_evidence", "review_queue", "comparison_vectors", "compared_features"):
            con.execute(statement(f"identity/sql/resolve/write_{name}"), {"path": str(files[name])})
        con.execute(
            statement("identity/sql/resolve/write_comparison_state"), {"fingerprint": fingerprint}
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
