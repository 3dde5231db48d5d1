"""The warehouse lock makes a second process wait its turn instead of failing on DuckDB's lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from customer_truth.settings import Settings
from customer_truth.warehouse import open_warehouse, warehouse_lock

HOLDER = """
import sys, time
from pathlib import Path
from customer_truth.settings import Settings
from customer_truth.warehouse import open_warehouse
settings = Settings(landing=Path('.'), home=Path(sys.argv[1]))
with open_warehouse(settings) as con:
    con.execute("create table if not exists t (x int)")
    print("held", flush=True)
    time.sleep(2)
    con.execute("insert into t values (1)")
"""


def test_a_second_process_waits_for_the_warehouse_instead_of_failing(tmp_path: Path) -> None:
    settings = Settings(landing=tmp_path, home=tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with open_warehouse(settings) as con:
        waited = time.monotonic() - started
        assert con.sql("select count(*) from t").fetchall() == [(1,)]
    assert holder.wait(timeout=30) == 0
    assert waited > 0.5


def test_the_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    settings = Settings(landing=tmp_path, home=tmp_path)
    with warehouse_lock(settings), warehouse_lock(settings), open_warehouse(settings) as con:
        assert con.sql("select 1").fetchall() == [(1,)]
