"""The bridge from a Great Expectations suite to a gate (GX 1.x; ``dagster-ge`` targets 0.x).

A ``GateSuite`` (defined in ``data_quality/``, one per gated model, named after it) says which
Dagster asset it gates, which SQL frame of the warehouse it validates, and its expectations.
``run_suite`` validates that frame as a pandas DataFrame (GX's SQL path fails against DuckDB, see
STACK.md) through a checkpoint of a file-backed GX context under
``$CUSTOMER_TRUTH_HOME/quality/gx/``, then writes the suite's Data Docs pages
(``.../gx/uncommitted/data_docs/local_site/index.html`` lists the latest ``DATA_DOCS_RESULTS``
results; the index is written once a run); the pages it wrote are then pointed at local copies
of their assets (``data_docs.py``), so they work offline.

Results are summarised without row values (an unexpected email must not travel into the
publication log), and stored per run under ``quality/runs/<run_id>/<suite>.json`` so that the
publisher, the block record and ``customer-truth run`` see every suite of the run.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from customer_truth.quality.data_docs import make_offline
from customer_truth.settings import Settings

if TYPE_CHECKING:  # GX takes seconds to import: only when a suite runs
    import duckdb
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.datasource.fluent import PandasDatasource
    from great_expectations.expectations import Expectation

# what a summary may keep of an expectation's result: counts and aggregates, never values
_SAFE_RESULT_KEYS = ("element_count", "unexpected_count", "unexpected_percent", "missing_count")


@dataclass(frozen=True)
class GateContext:
    """What a suite may need beyond its frame: what the current release measured.

    ``previous_row_counts``: rows per published table; ``previous_metrics``: per suite, the
    metrics its run stored when that release passed the gate (e.g. ``email_present``).
    """

    previous_row_counts: dict[str, int] = field(default_factory=dict)
    previous_metrics: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class GateSuite:
    name: str  # the model it gates, e.g. "dim_customer_profile"
    asset_key: tuple[str, ...]  # the Dagster asset, e.g. ("marts", "dim_customer_profile")
    query: str  # the frame to validate (SQL over the warehouse, no data formatted in)
    expectations: Callable[[GateContext], list[Expectation]]
    description: str = ""
    # relations the query reads: the suite is skipped (not failed) where one does not exist
    requires: tuple[str, ...] = ()
    # columns whose share of non-null values is stored with the result (``<column>_present``),
    # so that the next release can be held to this one's rate rather than to a fixed guess
    tracked_presence: tuple[str, ...] = ()


@dataclass
class SuiteResult:
    suite: str
    asset: str
    success: bool
    evaluated: int
    rows: int
    ran_at: str
    failed_expectations: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "asset": self.asset,
            "success": self.success,
            "evaluated": self.evaluated,
            "rows": self.rows,
            "ran_at": self.ran_at,
            "failed_expectations": self.failed_expectations,
            "metrics": self.metrics,
        }


def quality_dir(settings: Settings) -> Path:
    return settings.home / "quality"


def data_docs_index(settings: Settings) -> Path:
    return quality_dir(settings) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def gx_context(settings: Settings) -> AbstractDataContext:
    """The home's file-backed GX context (suites, validation results, the Data Docs site)."""
    return _context(str(quality_dir(settings)))


@lru_cache(maxsize=4)
def _context(root: str) -> AbstractDataContext:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=root)
    # progress bars would fill the run log with one line per metric
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    _bound_data_docs(context)
    _no_frame_fingerprints()
    return context


def _no_frame_fingerprints() -> None:
    """GX labels each frame under 1 GB (shallow size) with a fingerprint, hashing every value of
    every column: on a 3M-row timeline frame that was 3.1 s of a 3.4 s suite and 1 GiB of memory,
    for each suite, for a label nothing reads (the run's results say which batches were gated).
    The threshold is the engine's only setting for it."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


# The Data Docs list (and render pages for) the latest results only. GX's index reads every
# result it lists, and each suite's checkpoint rebuilds the index: unbounded, a daily run would
# slow down with every run before it (13 suites a run). Every result stays in the store, and
# each run's summary in quality/runs/<run_id>/.
DATA_DOCS_RESULTS = 100
# the GX data source of the frames validated (one DataFrame asset per suite)
FRAMES_SOURCE = "warehouse_frames"


def _bound_data_docs(context: AbstractDataContext) -> None:
    """Every site lists the latest ``DATA_DOCS_RESULTS`` results and renders with the views that
    keep their compiled templates (``data_docs_views.py``); written to the context's config."""
    for name, site in context.list_data_docs_sites().items():
        config: dict[str, Any] = dict(site)
        index = dict(config.get("site_index_builder") or {"class_name": "DefaultSiteIndexBuilder"})
        index.update(
            validation_results_limit=DATA_DOCS_RESULTS, view=_view("CachedJinjaIndexPageView")
        )
        sections = dict(config.get("site_section_builders") or {})
        for section in ("expectations", "validations"):
            sections[section] = {
                **(sections.get(section) or {}),
                "view": _view("CachedJinjaPageView"),
            }
        wanted = {**config, "site_index_builder": index, "site_section_builders": sections}
        if wanted != config:
            context.update_data_docs_site(name, wanted)  # type: ignore[arg-type]  # GX's TypedDict


def _view(class_name: str) -> dict[str, str]:
    return {"module_name": "customer_truth.quality.data_docs_views", "class_name": class_name}


def _summarise(result: Any) -> dict[str, Any]:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    detail = {k: result.result.get(k) for k in _SAFE_RESULT_KEYS if k in result.result}
    observed = result.result.get("observed_value")
    if isinstance(observed, int | float) or observed is None:
        detail["observed_value"] = observed
    elif isinstance(observed, dict) and "values" in observed:  # quantiles: numbers only
        detail["observed_value"] = observed["values"]
    return {"expectation": config.type, "kwargs": kwargs, "result": detail}


# Arrow to pandas as DuckDB's own conversion types a frame: integers and booleans nullable
_NULLABLE_TYPES = {
    pa.bool_(): pd.BooleanDtype(),
    pa.int8(): pd.Int64Dtype(),
    pa.int16(): pd.Int64Dtype(),
    pa.int32(): pd.Int64Dtype(),
    pa.int64(): pd.Int64Dtype(),
}


def read_frame(con: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    """The suite's frame, read through Arrow.

    DuckDB's own pandas conversion (``.df()``) peaked at 7.9 GB of RSS for a 10M-row,
    seven-column timeline frame that takes 1.4 GB as a DataFrame (a 1M-person world's timeline
    holds over 20M rows); through Arrow the peak was 3.1 GB, and the read 6x faster. Decimals
    become floats, as ``.df()`` makes them (a mean of Decimal objects is not a number GX reads).
    """
    table = con.sql(query).to_arrow_table()
    floats = [
        pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type) else f for f in table.schema
    ]
    table = table.cast(pa.schema(floats))
    whole_numbers = [
        f.name for f in table.schema if pa.types.is_integer(f.type) and not table[f.name].null_count
    ]
    # each column's Arrow buffers are freed once converted: the frame is not held twice
    frame = table.to_pandas(types_mapper=_NULLABLE_TYPES.get, self_destruct=True, split_blocks=True)
    # GX compares a numpy integer column at once, a nullable one value by value in Python (2.4 s
    # of a 2.3M-row timeline suite's 4.6): a column without a null needs no mask
    for name in whole_numbers:
        frame[name] = frame[name].to_numpy(dtype="int64")
    return frame


def run_suite(
    suite: GateSuite, frame: pd.DataFrame, settings: Settings, gate: GateContext
) -> SuiteResult:
    """Validate ``frame`` against the suite and write its Data Docs pages (the index too when it
    failed: ``refresh_data_docs_index`` otherwise, once the gate passed)."""
    import great_expectations as gx
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    context = gx_context(settings)
    source: PandasDatasource
    try:
        source = context.data_sources.get(FRAMES_SOURCE)  # type: ignore[assignment]  # ours
    except KeyError:
        # once a home: "add or update" would drop every suite's asset, and each suite would add
        # its asset and batch definition again, rewriting the context's config (0.85 s a run)
        source = context.data_sources.add_pandas(FRAMES_SOURCE)
    try:
        asset = source.get_asset(suite.name)
    except LookupError:
        asset = source.add_dataframe_asset(name=suite.name)
    try:
        batch = asset.get_batch_definition("whole_frame")
    except KeyError:
        batch = asset.add_batch_definition_whole_dataframe("whole_frame")
    expectation_suite = gx.ExpectationSuite(name=suite.name, expectations=suite.expectations(gate))
    expectation_suite = context.suites.add_or_update(expectation_suite)
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=expectation_suite)
    )
    # no Data Docs action: GX's action rebuilds the index, which reads every result it lists,
    # for each of a run's suites. The run's pages are written below, the index once.
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[validation],
            actions=[],
            result_format={"result_format": "SUMMARY"},
        )
    )
    started = time.time() - 2  # a file's time is coarser than the clock: a margin
    outcome = checkpoint.run(batch_parameters={"dataframe": frame})
    # the validation result's page and the suite's (GX's hint says one kind per list; the
    # site's builders take each key they are given)
    pages: list[Any] = [*outcome.run_results, ExpectationSuiteIdentifier(name=suite.name)]
    context.build_data_docs(resource_identifiers=pages, build_index=not outcome.success)
    # the pages just written load their assets from CDNs: local copies
    make_offline(data_docs_index(settings).parent, changed_since=started)
    results = [r for run in outcome.run_results.values() for r in run.results]
    failed = [_summarise(r) for r in results if not r.success]
    _forget_batches(source)
    return SuiteResult(
        suite=suite.name,
        asset="/".join(suite.asset_key),
        success=bool(outcome.success) and not failed,
        evaluated=len(results),
        rows=len(frame),
        ran_at=datetime.now(UTC).isoformat(),
        failed_expectations=failed,
        metrics=frame_metrics(suite, frame),
    )


def _forget_batches(source: PandasDatasource) -> None:
    """GX's engine keeps every batch it loaded, and with it the frame: the context lives as long
    as the process, so each suite's frame stayed in memory to the end of the run (a 1M-person
    world's gate: 12.4 GiB still held after its 13 suites, 16.9 at the peak)."""
    batches = source.get_execution_engine().batch_manager
    batches.reset_batch_cache()
    batches.batch_data_cache.clear()


def refresh_data_docs_index(settings: Settings) -> None:
    """Rebuild the Data Docs index over the latest results (a run's gate passed: once)."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    started = time.time() - 2
    # GX renders every page when it is given no identifier: one that names no page, the index alone
    no_page = [ExpectationSuiteIdentifier(name="(the index alone)")]
    gx_context(settings).build_data_docs(resource_identifiers=no_page, build_index=True)
    make_offline(data_docs_index(settings).parent, changed_since=started)


def frame_metrics(suite: GateSuite, frame: pd.DataFrame) -> dict[str, float]:
    """Aggregates of the frame only (shares, never values): safe to keep in the log."""
    if frame.empty:
        return {}
    return {f"{c}_present": float(frame[c].notna().mean()) for c in suite.tracked_presence}


def presence_floor(
    gate: GateContext, suite: str, column: str, *, floor: float, max_drop: float
) -> float:
    """The least share of non-null ``column`` a suite accepts: at most ``max_drop`` below the
    current release's share, and never below ``floor`` (the only bound of a first release).

    Sources differ in how complete they are, so a fixed share tuned on one enterprise would block
    another's healthy data; a sudden drop against the last release is what a lost column or a
    broken extract looks like anywhere."""
    previous = gate.previous_metrics.get(suite, {}).get(f"{column}_present")
    if previous is None:
        return floor
    return max(floor, round(previous - max_drop, 4))


def results_dir(settings: Settings, run_id: str) -> Path:
    return quality_dir(settings) / "runs" / run_id


def store_result(settings: Settings, run_id: str, result: SuiteResult) -> None:
    folder = results_dir(settings, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{result.suite}.json.tmp"
    temporary.write_text(json.dumps(result.as_dict(), sort_keys=True, default=str))
    temporary.replace(folder / f"{result.suite}.json")


def run_results(settings: Settings, run_id: str) -> list[dict[str, Any]]:
    """Every suite result stored for the run, in the order they ran."""
    folder = results_dir(settings, run_id)
    if not folder.is_dir():
        return []
    found = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    return sorted(found, key=lambda r: r["ran_at"])
