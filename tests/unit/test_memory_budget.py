"""One setting bounds DuckDB's memory everywhere the pipeline opens a database, with a folder in
the home to spill to."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from dbt.adapters.duckdb.credentials import DuckDBCredentials

from customer_truth.dbt_home import PLACEHOLDER, Plugin
from customer_truth.settings import DBT_PROJECT_DIR, load_settings
from customer_truth.warehouse import connect, memory_lent, open_warehouse


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
    assert load_settings().memory_limit == "30%"
    assert _setting(con, "memory_limit").endswith("GiB")


def test_dbt_reads_the_same_budget_as_python() -> None:
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    output = profile["customer_truth"]["outputs"]["local"]
    assert "env_var('CUSTOMER_TRUTH_MEMORY_LIMIT'" in output["settings"]["memory_limit"]
    assert "'30%'" in output["settings"]["memory_limit"]
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


def test_a_database_lends_its_budget_while_another_works_and_takes_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CUSTOMER_TRUTH_MEMORY_LIMIT", "1GB")
    with open_warehouse(load_settings()) as warehouse:
        with memory_lent(warehouse):
            assert _setting(warehouse, "memory_limit") == "122.0 MiB"  # LENT_MEMORY_KEEP
        assert _setting(warehouse, "memory_limit") == "953.6 MiB"
        with pytest.raises(RuntimeError), memory_lent(warehouse):
            raise RuntimeError("the other database failed")
        assert _setting(warehouse, "memory_limit") == "953.6 MiB"


def test_identity_resolution_works_in_one_in_memory_database_while_the_warehouse_lends_its_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Splink scores in resolution's own in-memory database: a second one beside it (each
    taking the whole budget) took a 1M-person run to 15.9 GB. While Python clusters, that
    database lends its budget in turn."""
    from customer_truth.identity import clustering, comparison_vectors, resolve
    from tests.unit.test_identity_resolution import _hand_made_warehouse

    opened: list[str] = []
    limits: list[str] = []

    databases: list[object] = []
    lent_while_clustering: list[str] = []

    def counting_connect(path: Path | str, settings: object = None) -> object:
        opened.append(str(path))
        databases.append(connect(path))
        return databases[-1]

    cluster = clustering.cluster

    def clustering_in_python(*args: object, **kwargs: object) -> object:
        lent_while_clustering.append(_setting(databases[0], "memory_limit"))
        return cluster(*args, **kwargs)  # type: ignore[arg-type]

    score_pairs = comparison_vectors.score_pairs

    def scoring(con: object, *args: object, **kwargs: object) -> object:
        limits.append(_setting(warehouse, "memory_limit"))
        return score_pairs(con, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(resolve, "connect", counting_connect)
    monkeypatch.setattr(comparison_vectors, "score_pairs", scoring)
    monkeypatch.setattr(clustering, "cluster", clustering_in_python)
    warehouse = _hand_made_warehouse(tmp_path / "warehouse.duckdb")
    before = _setting(warehouse, "memory_limit")
    summary = resolve.resolve_identities(warehouse)
    # the review queue is counted once, in the file it is written from
    queued = warehouse.sql("select count(*) from identity.review_queue").fetchall()[0][0]
    assert summary.review_pairs == queued
    assert opened == [":memory:"]
    assert limits == ["122.0 MiB"]
    # and the in-memory database lends its own while Python clusters
    assert lent_while_clustering == ["122.0 MiB"]
    assert _setting(warehouse, "memory_limit") == before
    # the outputs left the in-memory database as Parquet files in the spill folder, now gone
    assert warehouse.sql("select count(*) from identity.record_clusters").fetchall()[0][0] > 0
    assert list((tmp_path / "home" / "duckdb_tmp").glob("identity-*")) == []
    warehouse.close()


def test_the_publishers_erasure_filter_takes_the_budget_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter that drops an erased person's rows from each table as it streams into Delta
    runs beside the warehouse: opened with DuckDB's own default (80% of the machine, no spill
    folder), the two could together hold far more than the budget."""
    import pyarrow as pa

    from customer_truth.publication import erasure
    from customer_truth.publication.registry import PublishedTable

    limits: list[str] = []

    def budgeted_connect(path: Path | str, settings: object = None) -> object:
        con = connect(path)
        limits.append(_setting(con, "memory_limit"))
        return con

    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CUSTOMER_TRUTH_MEMORY_LIMIT", "1GB")
    monkeypatch.setattr(erasure, "connect", budgeted_connect)
    rows = pa.table({"customer_id": ["c1", "c2", "c3"], "note": ["a", "b", "c"]})
    erased = erasure.ErasedSet(
        pa.table({"customer_id": ["c2"], "identifier_sha256": pa.array([None], pa.string())})
    )
    kept = erasure.stream_without_erased(
        rows.to_reader(), PublishedTable("t", "publish.t", ("note",)), erased, batch_rows=2
    ).read_all()
    assert sorted(kept.column("customer_id").to_pylist()) == ["c1", "c3"]
    assert limits == ["953.6 MiB"]


def test_a_database_that_cannot_lend_down_to_the_keep_holds_what_it_has_and_the_work_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 1M-person identity's in-memory database could not go down to 128MB (pinned memory):
    the run failed on the lend. It now keeps what it holds, takes no more, and takes its budget
    back afterwards."""
    import duckdb

    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CUSTOMER_TRUTH_MEMORY_LIMIT", "1GB")
    real = connect(":memory:")
    limits: list[object] = []

    class Pinned:
        """A database whose buffer pool cannot shrink below 300 MB."""

        def execute(self, sql: str, params: list[object] | None = None) -> object:
            if sql.startswith("set memory_limit"):
                limits.append(params[0] if params else None)
                if params == ["128MB"]:
                    raise duckdb.OutOfMemoryException("could not free up enough memory")
                return real.execute(sql, params)
            if "duckdb_memory()" in sql:
                return real.execute("select 300 * 1024 * 1024")
            return real.execute(sql, params)

    pinned = Pinned()
    with memory_lent(pinned):  # type: ignore[arg-type]
        assert _setting(real, "memory_limit") == "364.0 MiB"  # what it holds, and 64 MB more
    assert limits == ["128MB", f"{364 * 1024 * 1024}B", "1GB"]
    assert _setting(real, "memory_limit") == "953.6 MiB"
