"""One setting bounds DuckDB's memory everywhere the pipeline opens a database, with a folder in
the home to spill to."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from dbt.adapters.duckdb.credentials import DuckDBCredentials

from customer_truth.dbt_home import PLACEHOLDER, Plugin
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


def test_dbt_reads_the_same_budget_as_python() -> None:
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    output = profile["customer_truth"]["outputs"]["local"]
    assert "env_var('CUSTOMER_TRUTH_MEMORY_LIMIT'" in output["settings"]["memory_limit"]
    assert "'40%'" in output["settings"]["memory_limit"]
    # the home's paths are not in the profile: the plugin sets them when dbt connects
    assert output["path"] == PLACEHOLDER
    assert output["plugins"][0]["module"] == "customer_truth.dbt_home"


@pytest.mark.parametrize("home", ["/srv/customer-truth", "relative/home", ""])
def test_dbt_opens_the_warehouse_and_spill_folder_python_derives_from_the_home(
    home: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hand-run `dbt build` writes to the pipeline's warehouse file and spills into its folder
    (a relative home read from the checkout's root, where the pipeline runs), whatever folder
    dbt runs from."""
    monkeypatch.chdir(DBT_PROJECT_DIR.parent)
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", home)
    expected = load_settings()  # as `customer-truth` reads it, from the checkout's root
    monkeypatch.chdir(tmp_path)
    creds = DuckDBCredentials(path=PLACEHOLDER)
    config: dict[str, object] = {}
    with pytest.MonkeyPatch.context() as mkdir:
        mkdir.setattr(Path, "mkdir", lambda *args, **kwargs: None)  # /srv is not ours
        plugin = Plugin.create("customer_truth.dbt_home", credentials=creds)
        plugin.update_connection_config(creds, config)
        plugin.update_connection_config(creds, config)  # each new connection: kept as it is
    assert creds.path == str(expected.warehouse)
    assert config["temp_directory"] == str(expected.duckdb_temp)


def test_a_profile_naming_its_own_path_is_refused() -> None:
    creds = DuckDBCredentials(path="/somewhere/else.duckdb")
    with pytest.raises(ValueError, match="CUSTOMER_TRUTH_HOME"):
        Plugin.create("customer_truth.dbt_home", credentials=creds).update_connection_config(
            creds, {}
        )
