"""Source freshness: the thresholds dbt source `raw` declares, measured after ingestion and shown
as the raw assets' `source_freshness` check (warn past warn_after, error past error_after, never
blocking)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from customer_truth.contracts import CONTRACTS
from customer_truth.ingest import load_new_batches
from customer_truth.source_freshness import measure
from customer_truth.warehouse import connect, ensure_raw_schema
from dagster_project.ingest.assets import FRESHNESS_CHECK, FRESHNESS_RULES, INGEST_ASSETS
from dagster_project.resources import WarehouseResource
from tests.landing_builder import write_batch

B1, B2 = "20260301T020000Z", "20260302T020000Z"
HOURS = timedelta(hours=1)


def _crm_batch(landing: Path, batch_id: str, *, contacts: int, accounts: int) -> None:
    header_c = "Id,FirstName,LastName,Email,LastModifiedDate\n"
    header_a = "Id,Name,Type,LastModifiedDate\n"
    rows_c = "".join(
        f"003{batch_id[-7:-1]}{i:06d},Ann,Lee,ann{i}@example.org,2026-03-01T00:00:00.000+0000\n"
        for i in range(contacts)
    )
    rows_a = "".join(
        f"001{batch_id[-7:-1]}{i:06d},Lee Household,Household,2026-03-01T00:00:00.000+0000\n"
        for i in range(accounts)
    )
    files = {"contacts.csv": header_c + rows_c, "accounts.csv": header_a + rows_a}
    mode = "full" if batch_id == B1 else "incremental"
    write_batch(landing, "crm", batch_id, {n: t.encode() for n, t in files.items()}, mode=mode)


def _age_everything(con: duckdb.DuckDBPyConnection, by: timedelta) -> None:
    """Pretend every load happened ``by`` earlier (rows and ingestion's bookkeeping alike)."""
    for table in ("raw.crm__contacts", "raw.crm__accounts", "ingest.file_loads"):
        con.execute(f"update {table} set loaded_at = loaded_at - ?", [by])  # noqa: S608


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(":memory:")
    ensure_raw_schema(connection)
    _crm_batch(tmp_path, B1, contacts=2, accounts=1)
    load_new_batches(connection, tmp_path, "crm")
    yield connection
    connection.close()


def test_every_landing_table_declares_a_daily_freshness_and_the_agent_log_none() -> None:
    assert set(FRESHNESS_RULES) == {c.table for c in CONTRACTS}
    for rule in FRESHNESS_RULES.values():
        warn, error = rule.threshold.warn_after, rule.threshold.error_after
        assert warn is not None and error is not None
        assert (warn.count, str(warn.period)) == (30, "hour"), rule.table
        assert (error.count, str(error.period)) == (3, "day"), rule.table
    # rarely changing entities are measured by their file's delivery, streams by their rows
    assert FRESHNESS_RULES["crm__accounts"].loaded_at_query is not None
    assert FRESHNESS_RULES["crm__contacts"].loaded_at_query is None
    assert FRESHNESS_RULES["crm__contacts"].loaded_at_field == "loaded_at"
    assert "ai_agent__interactions" not in FRESHNESS_RULES


@pytest.mark.parametrize(
    ("age", "status"),
    [(timedelta(0), "pass"), (29 * HOURS, "pass"), (31 * HOURS, "warn"), (73 * HOURS, "error")],
)
def test_a_table_loaded_longer_ago_than_warn_after_warns_and_past_error_after_errors(
    con: duckdb.DuckDBPyConnection, age: timedelta, status: str
) -> None:
    _age_everything(con, age)
    for table in ("crm__contacts", "crm__accounts"):
        freshness = measure(con, FRESHNESS_RULES[table])
        assert freshness.status == status, table
        assert freshness.age_seconds == pytest.approx(age.total_seconds(), abs=60)


def test_an_empty_delivery_keeps_a_rarely_changing_table_fresh_but_not_a_stream(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    _age_everything(con, 48 * HOURS)
    # today's delivery: no account changed, and (oddly) no contact either
    _crm_batch(tmp_path, B2, contacts=0, accounts=0)
    load_new_batches(con, tmp_path, "crm")
    assert measure(con, FRESHNESS_RULES["crm__accounts"]).status == "pass"
    assert measure(con, FRESHNESS_RULES["crm__contacts"]).status == "warn"


def test_a_table_nothing_was_ever_loaded_into_is_an_error() -> None:
    connection = connect(":memory:")
    ensure_raw_schema(connection)
    freshness = measure(connection, FRESHNESS_RULES["support__tickets"])
    assert (freshness.status, freshness.max_loaded_at) == ("error", None)
    assert freshness.description().startswith("error: nothing loaded yet")


def _ingest_crm(home: Path) -> dict[str, dg.AssetCheckEvaluation]:
    [ingest_crm] = [a for a in INGEST_ASSETS if a.op.name == "ingest_crm"]
    result = dg.materialize([ingest_crm], resources={"warehouse": WarehouseResource()})
    assert result.success  # a stale source never fails ingestion
    return {
        e.asset_key.path[-1]: e
        for e in result.get_asset_check_evaluations()
        if e.check_name == FRESHNESS_CHECK
    }


def test_dagster_shows_a_stale_source_as_a_warning_then_an_error_and_never_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, home = tmp_path / "landing", tmp_path / "home"
    monkeypatch.setenv("CUSTOMER_TRUTH_LANDING", str(landing))
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(home))
    _crm_batch(landing, B1, contacts=2, accounts=1)
    fresh = _ingest_crm(home)
    assert {t: e.passed for t, e in fresh.items()} == {"crm__contacts": True, "crm__accounts": True}

    def age_warehouse(by: timedelta) -> None:
        with duckdb.connect(str(home / "warehouse.duckdb")) as warehouse:
            _age_everything(warehouse, by)

    age_warehouse(31 * HOURS)  # no delivery since: the next run warns
    late = _ingest_crm(home)["crm__contacts"]
    assert (late.passed, late.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert late.description is not None and late.description.startswith("warn: last loaded 31.0 h")
    assert late.metadata["status"].value == "warn"

    age_warehouse(2 * 24 * HOURS)  # 79 h: past error_after
    broken = _ingest_crm(home)["crm__accounts"]
    assert (broken.passed, broken.severity) == (False, dg.AssetCheckSeverity.ERROR)
    # not a blocking check: nothing downstream is skipped for it
    specs = [s for a in INGEST_ASSETS for s in a.check_specs if s.name == FRESHNESS_CHECK]
    assert len(specs) == len(CONTRACTS) and not any(s.blocking for s in specs)
