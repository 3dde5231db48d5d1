"""One setting bounds DuckDB's memory everywhere the pipeline opens a database, with a folder in
the home to spill to."""

from __future__ import annotations

import os
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


@pytest.mark.parametrize("home", ["/srv/customer-truth", "relative/home", ""])
def test_dbt_derives_the_warehouse_and_spill_folder_from_the_home_as_python_does(
    home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hand-run `dbt build` with the pipeline's home writes to the pipeline's warehouse file
    (a relative home read from the checkout's root, where the pipeline runs)."""
    import jinja2

    monkeypatch.chdir(DBT_PROJECT_DIR.parent)
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", home)
    settings = load_settings()
    output = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())["customer_truth"]
    local = output["outputs"]["local"]

    def render(value: str) -> Path:
        environment = jinja2.Environment()
        environment.globals["env_var"] = lambda name, default="": os.environ.get(name, default)
        # dbt runs from dbt_project/, so a relative path is read from there
        return (DBT_PROJECT_DIR / environment.from_string(value).render()).resolve()

    assert render(local["path"]) == settings.warehouse
    assert render(local["settings"]["temp_directory"]) == settings.duckdb_temp
