"""The scale benchmark's instruments: stage attribution from a run's events, the process-tree
memory sampler, the floor, and the worlds it lands run by run."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from customer_truth.benchmarks import scale
from customer_truth.benchmarks.process_tree import TreeSampler
from customer_truth.benchmarks.scale import (
    RunResult,
    land_one_row_batch,
    landing_files,
    last_day_batches,
    link_batches,
    measure_floor,
    run_scale_benchmark,
)
from customer_truth.benchmarks.stages import STAGES, dbt_stage_of_keys, stage_times
from customer_truth.landing import complete_batches
from customer_truth.settings import Settings
from dagster_project.transform.project import customer_truth_project
from tests.landing_builder import CHARGE, jsonl, write_batch


@dataclass
class _Key:
    path: list[str]


@dataclass
class _Check:
    asset_key: _Key


@dataclass
class _DagsterEvent:
    event_type_value: str
    key: list[str] | None = None

    @property
    def is_step_materialization(self) -> bool:
        return self.event_type_value == "ASSET_MATERIALIZATION"

    @property
    def asset_key(self) -> _Key:
        return _Key(self.key or [])

    @property
    def asset_check_evaluation_data(self) -> _Check:
        return _Check(_Key(self.key or []))


@dataclass
class _Entry:
    step_key: str
    timestamp: float
    dagster_event: _DagsterEvent


def _event(step: str, at: float, kind: str, key: list[str] | None = None) -> _Entry:
    return _Entry(step, at, _DagsterEvent(kind, key))


def test_a_dbt_step_is_split_by_the_stage_of_each_model_and_test() -> None:
    stages: dict[tuple[str, ...], str] = {
        ("staging", "stg_a"): "staging",
        ("marts", "fct_b"): "journeys",
    }
    events = [
        _event("ingest_crm", 0.0, "ASSET_MATERIALIZATION_PLANNED"),  # planned at run start
        _event("ingest_crm", 10.0, "STEP_START"),
        _event("ingest_crm", 14.0, "STEP_SUCCESS"),
        _event("customer_truth_dbt_models", 20.0, "STEP_START"),
        _event("customer_truth_dbt_models", 23.0, "ASSET_MATERIALIZATION", ["staging", "stg_a"]),
        _event("customer_truth_dbt_models", 24.0, "ASSET_CHECK_EVALUATION", ["staging", "stg_a"]),
        _event("customer_truth_dbt_models", 30.0, "ASSET_MATERIALIZATION", ["marts", "fct_b"]),
        _event("customer_truth_dbt_models", 31.0, "STEP_SUCCESS"),
        _event("resolve_identities", 40.0, "STEP_START"),
        _event("resolve_identities", 45.0, "STEP_SUCCESS"),
        _event("marts__fct_b_gx_fct_b", 50.0, "STEP_START"),
        _event("marts__fct_b_gx_fct_b", 52.0, "STEP_SUCCESS"),
        _event("published__release", 60.0, "STEP_START"),
        _event("published__release", 61.5, "STEP_SUCCESS"),
    ]
    times = stage_times(events, stages)
    assert times["ingest"].seconds == 4.0  # not from the planning event at 0
    assert times["staging"].seconds == 4.0  # 20 -> 23 model, 23 -> 24 its test
    assert times["journeys"].seconds == 7.0  # 24 -> 30, and dbt's wrap-up 30 -> 31
    assert times["identity"].seconds == 5.0
    assert times["quality gate"].seconds == 2.0
    assert times["publication"].seconds == 1.5
    assert times["journeys"].windows == [(24.0, 30.0), (30.0, 31.0)]


def test_every_dbt_model_of_the_project_has_a_stage() -> None:
    manifest_path = Path(customer_truth_project.manifest_path)
    stages = dbt_stage_of_keys(manifest_path)
    manifest = json.loads(manifest_path.read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(stages) >= len(models)
    assert set(stages.values()) <= set(STAGES)
    assert {"staging", "golden", "journeys", "publish candidates"} <= set(stages.values())


def test_the_sampler_sums_the_whole_process_tree() -> None:
    # a parent holding ~100 MiB starts a child holding ~200 MiB; both are alive at the peak
    child = "b = bytearray(200 * 2**20); import time; time.sleep(1.5)"
    parent = (
        "import subprocess, sys; a = bytearray(100 * 2**20); "
        f"subprocess.run([sys.executable, '-c', {child!r}])"
    )
    process = subprocess.Popen([sys.executable, "-c", parent])
    with TreeSampler(process.pid, interval=0.05) as sampler:
        process.wait()
    assert sampler.peak() > 300 * 2**20


def test_the_last_day_lands_after_the_rest_and_a_one_row_batch_after_that(
    tmp_path: Path,
) -> None:
    source = tmp_path / "world"
    write_batch(source, "billing", "20260301T020000Z", {"charges.jsonl": jsonl(CHARGE, CHARGE)})
    write_batch(source, "billing", "20260302T020000Z", {"charges.jsonl": jsonl(CHARGE)})
    write_batch(source, "support", "20260302T030000Z", {"tickets.jsonl": b'{"id": 7}\n'})
    last = last_day_batches(source)
    assert {b.name for b in last} == {"20260302T020000Z", "20260302T030000Z"}

    target = tmp_path / "landing"
    everything = [p for s in ("billing", "support") for p in sorted((source / s).iterdir())]
    link_batches(source, target, [b for b in everything if b not in last])
    assert [b.batch_id for b in complete_batches(target, "billing")] == ["20260301T020000Z"]
    link_batches(source, target, sorted(last))
    assert len(complete_batches(target, "billing")) == 2

    batch = land_one_row_batch(target)
    assert batch == "support/20260302T040000Z"
    landed = complete_batches(target, "support")[-1]
    assert landed.declared_rows == {"tickets.jsonl": 1} and landed.manifest_error is None

    files = landing_files(target)
    seconds, records = measure_floor(files, Settings(landing=target, home=tmp_path / "home"))
    assert records == 2 + 1 + 1 + 1 and seconds > 0


def test_the_results_file_keeps_every_run_measured_before_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 1M-person world runs for hours: the results file is rewritten after every run, so a
    run that fails (or a machine that stops) keeps the figures measured before it."""
    world = tmp_path / "world"
    write_batch(world / "landing", "billing", "20260301T020000Z", {"charges.jsonl": jsonl(CHARGE)})
    write_batch(world / "landing", "billing", "20260302T020000Z", {"charges.jsonl": jsonl(CHARGE)})
    monkeypatch.setattr(scale, "ensure_world", lambda *args: world)
    measured: list[str] = []

    def measure_run(name: str, *args: object) -> RunResult:
        if measured:
            raise SystemExit(f"benchmark run {name!r} failed")
        measured.append(name)
        return RunResult(name, 12.5, 3.0, 1.5, rows_landed=1, released=True, run_id=None)

    monkeypatch.setattr(scale, "measure_run", measure_run)
    out = tmp_path / "results.json"
    with pytest.raises(SystemExit, match="incremental"):
        run_scale_benchmark([10], 1, 2, tmp_path / "work", reuse=True, out=out)
    kept = json.loads(out.read_text())
    assert [w["persons"] for w in kept["worlds"]] == [10]
    assert [(r["name"], r["seconds"]) for r in kept["worlds"][0]["runs"]] == [("full", 12.5)]
