"""One setting bounds DuckDB's memory everywhere the pipeline opens a database, with a folder in
the home to spill to."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from customer_truth.settings import DBT_PROJECT_DIR, load_settings
from customer_truth.warehouse import connect, open_warehouse


def _setting(con, name: str) -> str:
    return con.execute("select current_setting(?)", [name]).fetchall()[0][0]


def test_every_connection_takes_the_budget_and_spills_into_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CUSTOMER_TRUTH_MEMORY_LIMIT", "1GB")
    settings = load_settings()
    scratch = connect(":memory:")
    with open_warehouse(settings) as warehouse:
        for con in (scratch, warehouse):
            assert _setting(con, "memory_limit") == "953.6 MiB"  # DuckDB's way of saying 1GB
            assert _setting(con, "temp_directory") == str(tmp_path / "home" / "duckdb_tmp")
            assert _setting(con, "TimeZone") == "UTC"
    scratch.close()


def test_a_share_of_the_machine_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUSTOMER_TRUTH_MEMORY_LIMIT", raising=False)
    con = connect(":memory:")
    assert load_settings().memory_limit == "40%"
    assert _setting(con, "memory_limit").endswith("GiB")


def test_dbt_reads_the_same_budget_and_spill_folder_as_python() -> None:
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    output = profile["customer_truth"]["outputs"]["local"]
    rendered = " ".join([output["path"], *map(str, output["settings"].values())])
    for variable in load_settings().dbt_environment():
        assert f"env_var('{variable}'" in rendered, variable
    assert "'40%'" in output["settings"]["memory_limit"]
