"""The job's freshness check and `dbt source freshness` agree, table by table, on one warehouse
where some raw tables are fresh, some late (warn) and some broken (error).

The job measures freshness itself (customer_truth/source_freshness.py) to save a dbt start-up per
run; this test is what keeps the two renderings of dbt's freshness query the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from customer_truth.contracts import CONTRACTS
from customer_truth.ingest import load_new_batches
from customer_truth.settings import DBT_PROJECT_DIR
from customer_truth.source_freshness import measure
from customer_truth.warehouse import connect, ensure_raw_schema
from dagster_project.ingest.assets import FRESHNESS_RULES
from tests.landing_builder import CHARGE, jsonl, write_batch

pytestmark = pytest.mark.integration

# how long ago each table was last loaded; every other table never was (an error for both)
AGES = {
    "billing__charges": timedelta(hours=2),  # fresh, by its rows
    "billing__customers": timedelta(hours=31),  # late, by its (empty) file's delivery
    "billing__invoices": timedelta(days=4),  # broken
}


def test_the_job_and_dbt_source_freshness_give_every_raw_table_the_same_verdict(
    tmp_path: Path,
) -> None:
    landing, home = tmp_path / "landing", tmp_path / "home"
    home.mkdir()
    invoice = {"id": "in_1", "customer": "cus_1", "status": "paid", "created": 1772323200}
    write_batch(
        landing,
        "billing",
        "20260301T000000Z",
        {
            "charges.jsonl": jsonl(CHARGE),
            "customers.jsonl": b"",
            "invoices.jsonl": jsonl(invoice),
        },
    )
    con = connect(home / "warehouse.duckdb")
    try:
        ensure_raw_schema(con)
        load_new_batches(con, landing, "billing")
        for table, age in AGES.items():
            entity = table.split("__")[1]
            con.execute(f"update raw.{table} set loaded_at = now() - ?", [age])  # noqa: S608
            con.execute(
                "update ingest.file_loads set loaded_at = now() - ? where entity = ?", [age, entity]
            )
        ours = {t: measure(con, rule).status for t, rule in FRESHNESS_RULES.items()}
    finally:
        con.close()

    target = tmp_path / "target"
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, "CUSTOMER_TRUTH_HOME": str(home), "DO_NOT_TRACK": "1"}
    run = subprocess.run(
        [
            str(dbt),
            "source",
            "freshness",
            "--select",
            "source:raw",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(tmp_path / "logs"),
            "--output",
            str(target / "sources.json"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    results = json.loads((target / "sources.json").read_text())["results"]
    theirs = {r["unique_id"].split(".")[-1]: r["status"] for r in results}
    assert run.returncode == 1, run.stdout[-3000:]  # dbt exits non-zero on an error
    assert theirs == ours
    assert {t: ours[t] for t in AGES} == {
        "billing__charges": "pass",
        "billing__customers": "warn",
        "billing__invoices": "error",
    }
    assert set(ours) == {c.table for c in CONTRACTS}
