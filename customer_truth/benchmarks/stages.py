"""Where a run's time went, per pipeline stage, read back from its Dagster event log.

A Dagster step is one stage (an ingestion step is ingest, a gate check is the quality gate),
except the dbt steps, which build models of several stages: inside them, each model's or test's
time runs from the previous dbt event to its own (dbt runs one node at a time, threads: 1), and
the model's place in the dbt project (``fqn``: layer and domain) names its stage.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

STAGES = (
    "ingest",
    "staging",
    "identity",
    "golden",
    "journeys",
    "publish candidates",
    "quality gate",
    "publication",
)

# (dbt layer, domain) -> stage; the first matching prefix wins. Identity inputs (standardised
# records, rule links) are built by dbt with staging, as the issue that set the stages counts them.
_DBT_STAGES = (
    (("staging",), "staging"),
    (("intermediate", "identity"), "staging"),
    (("seeds",), "staging"),
    (("intermediate", "golden"), "golden"),
    (("marts", "identity"), "golden"),
    (("snapshots",), "golden"),
    (("intermediate", "journeys"), "journeys"),
    (("marts", "journeys"), "journeys"),
    (("publish",), "publish candidates"),
)
_PYTHON_STEPS = {
    "resolve_identities": "identity",
    "assign_customer_ids": "identity",
    "published__release": "publication",
}


@dataclass
class StageTime:
    stage: str
    seconds: float = 0.0
    windows: list[tuple[float, float]] = field(default_factory=list)

    def add(self, start: float, end: float) -> None:
        self.seconds += max(0.0, end - start)
        self.windows.append((start, end))


def dbt_stage_of_keys(manifest_path: Path) -> dict[tuple[str, ...], str]:
    """Asset key path (schema, relation) of every dbt node -> its stage."""
    manifest = json.loads(manifest_path.read_text())
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    stages: dict[tuple[str, ...], str] = {}
    for node in nodes:
        if node["resource_type"] == "source":
            stages[(node["schema"], node["name"])] = "staging"
            continue
        relation = node.get("alias") or node["name"]
        schema = node["config"].get("schema") or node["schema"]
        layer = tuple(node["fqn"][1:3])
        if node["resource_type"] in ("snapshot", "seed"):
            layer = (node["resource_type"] + "s",)
        for prefix, stage in _DBT_STAGES:
            if layer[: len(prefix)] == prefix:
                stages[(schema, relation)] = stage
                break
    return stages


def step_stage(step_key: str) -> str | None:
    """The stage of a whole non-dbt step, or None for a dbt step (split per model)."""
    if step_key.startswith("ingest_"):
        return "ingest"
    if "_gx_" in step_key:
        return "quality gate"
    return _PYTHON_STEPS.get(step_key)


def _event_type(event: object) -> str | None:
    dagster_event = getattr(event, "dagster_event", None)
    return dagster_event.event_type_value if dagster_event is not None else None


def _asset_path(event: object) -> tuple[str, ...] | None:
    dagster_event = getattr(event, "dagster_event", None)
    if dagster_event is None:
        return None
    if dagster_event.is_step_materialization:
        return tuple(dagster_event.asset_key.path)
    if dagster_event.event_type_value == "ASSET_CHECK_EVALUATION":
        return tuple(dagster_event.asset_check_evaluation_data.asset_key.path)
    return None


def stage_times(
    events: Iterable[object], dbt_stages: dict[tuple[str, ...], str]
) -> dict[str, StageTime]:
    """Seconds and time windows per stage from a run's event log entries."""
    by_step: dict[str, list[object]] = {}
    for event in events:
        step = getattr(event, "step_key", None)
        if step:
            by_step.setdefault(step, []).append(event)
    times = {stage: StageTime(stage) for stage in (*STAGES, "other")}
    for step, step_events in by_step.items():
        step_events.sort(key=lambda e: e.timestamp)  # type: ignore[attr-defined]
        # from the step's start: events planned for it at the run's start are not its work
        begun = [e for e in step_events if _event_type(e) == "STEP_START"]
        if not begun:
            continue  # a step that never started (skipped after a failed gate)
        start = begun[0].timestamp  # type: ignore[attr-defined]
        step_events = [e for e in step_events if e.timestamp >= start]  # type: ignore[attr-defined]
        end = step_events[-1].timestamp  # type: ignore[attr-defined]
        whole = step_stage(step)
        if whole is not None:
            times[whole].add(start, end)
            continue
        # a dbt step: each node's time runs from the previous node's event to its own
        previous, last_stage = start, None
        for event in step_events:
            path = _asset_path(event)
            if path is None:
                continue
            stage = dbt_stages.get(path, "other")
            times[stage].add(previous, event.timestamp)  # type: ignore[attr-defined]
            previous, last_stage = event.timestamp, stage  # type: ignore[attr-defined]
        # dbt's wrap-up after its last node belongs with that node
        times[last_stage or "other"].add(previous, end)
    return times
