"""The dbt resource the main job's steps use (dagster_project/resources.py): dagster-dbt's own,
without its per-step start-up costs and without dbt's debug log file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest


def test_the_dbt_resource_starts_a_step_without_a_version_subprocess_or_an_adapter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """dagster-dbt ran `dbt --version` and opened dbt's adapter before every dbt step; the job's
    resource reads the installed dbt-core's version and opens no adapter."""
    import dagster_dbt.core.resource as dagster_dbt_resource
    from dbt.version import __version__ as installed
    from packaging import version

    from dagster_project.resources import RESOURCES, DbtCoreCliResource

    def refuse(*args: object, **kwargs: object) -> bytes:
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", refuse)  # what it calls
    dbt = RESOURCES["dbt"]
    assert isinstance(dbt, DbtCoreCliResource)
    assert dbt._cli_version == version.parse(installed)
    assert dbt._initialize_dbt_core_adapter(["build"]) is None


def test_the_dbt_resource_keeps_warnings_and_errors_in_a_steps_log_file_not_debug_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt logs every event, each statement's SQL included, to the step's log file at debug level
    by default; the job's resource keeps warnings and errors there (the file is deleted with a
    step that succeeds)."""
    from dagster_project.resources import RESOURCES, DbtCoreCliResource
    from dagster_project.transform.project import customer_truth_project

    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(tmp_path / "home"))
    dbt = RESOURCES["dbt"]
    assert isinstance(dbt, DbtCoreCliResource)
    invocation = dbt.cli(
        ["ls", "--select", "stg_crm__contacts"], manifest=customer_truth_project.manifest_path
    ).wait()
    target = Path(invocation.project_dir) / invocation.target_path
    try:
        assert invocation.is_successful()
        log = target / "dbt.log"
        lines = log.read_text().splitlines() if log.exists() else []
        # one JSON event a line (dagster-dbt sets DBT_LOG_FORMAT=json): at dbt's default level
        # this command logs 10 debug events (checked)
        levels = {json.loads(line)["info"]["level"] for line in lines if line.strip()}
        assert "debug" not in levels, levels
    finally:
        shutil.rmtree(target, ignore_errors=True)
