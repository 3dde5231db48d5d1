"""Child staging models (items nested in a parent record) are incremental by parent: a run
unnests only the parents whose version arrived since the last build, and replaces every item of
those parents, including items their new version no longer holds.

dbt runs in a subprocess with its target in a temporary folder (tests/unit/test_dbt_staging.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from customer_truth.ingest import load_new_batches
from customer_truth.settings import DBT_PROJECT_DIR
from customer_truth.warehouse import connect, ensure_raw_schema
from tests.landing_builder import jsonl, write_batch

pytestmark = pytest.mark.xdist_group("dbt_staging_children")

B1, B2, B3 = "20260301T000000Z", "20260303T000000Z", "20260305T000000Z"
CHILDREN = (
    "stg_commerce__order_line_items",
    "stg_commerce__order_fulfillments",
    "stg_commerce__order_refunds",
    "stg_logistics__tracking_details",
    "stg_support__ticket_custom_fields",
)


def _order(order_id: int, updated: str, items: int, fulfillments: list[str], refunds: list[str]):
    return {
        "id": order_id,
        "name": f"#{order_id}",
        "email": "a@x.com",
        "customer": {"id": 7, "email": "a@x.com"},
        "created_at": "2026-02-27T10:00:00-05:00",
        "updated_at": updated,
        "currency": "USD",
        "total_price": "20.00",
        "line_items": [
            {"sku": f"SKU{i}", "title": f"item {i}", "quantity": 1, "price": "10.00"}
            for i in range(1, items + 1)
        ],
        "fulfillments": [
            {"id": f, "status": "success", "tracking_number": f"1Z{f}", "created_at": updated}
            for f in fulfillments
        ],
        "refunds": [
            {"id": r, "created_at": updated, "transactions": [{"amount": "5.00"}]} for r in refunds
        ],
    }


def _tracking_event(event_id: str, created: str, checkpoints: int) -> dict[str, Any]:
    return {
        "id": event_id,
        "description": "tracker.updated",
        "created_at": created,
        "result": {
            "id": "trk_1",
            "tracking_code": "1Zf1",
            "carrier": "UPS",
            "status": "in_transit",
            "updated_at": created,
            "tracking_details": [
                {"datetime": created, "message": f"checkpoint {i}", "status": "in_transit"}
                for i in range(1, checkpoints + 1)
            ],
        },
    }


def _ticket(ticket_id: int, updated: str, fields: int) -> dict[str, Any]:
    return {
        "id": ticket_id,
        "subject": "Where is my order?",
        "status": "open",
        "requester_id": 5,
        "custom_fields": [{"id": 100 + i, "value": f"value {i}"} for i in range(1, fields + 1)],
        "created_at": "2026-02-27T10:00:00Z",
        "updated_at": updated,
    }


def _land(landing: Path, batch: str, orders: list[dict], events: list[dict], mode: str,
          tickets: list[dict]) -> None:  # fmt: skip
    write_batch(
        landing, "support", batch, {"users.jsonl": b"", "tickets.jsonl": jsonl(*tickets)}, mode=mode
    )
    write_batch(
        landing,
        "commerce",
        batch,
        {"customers.jsonl": b"", "orders.jsonl": jsonl(*orders)},
        mode=mode,
    )
    write_batch(landing, "logistics", batch, {"tracking_events.jsonl": jsonl(*events)}, mode=mode)


def _load_and_build(work: Path, *extra: str) -> None:
    con = connect(work / "warehouse.duckdb")
    try:
        ensure_raw_schema(con)
        for system in ("commerce", "logistics", "support"):
            load_new_batches(con, work / "landing", system)
    finally:
        con.close()
    dbt = Path(sys.executable).parent / "dbt"
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    paths = ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    select = ["--select", *(f"+{model}" for model in CHILDREN)]
    run = subprocess.run(
        [str(dbt), "run", *project, *paths, *select, *extra],
        env={**os.environ, "CUSTOMER_TRUTH_HOME": str(work), "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:]


def _rows(work: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(work / "warehouse.duckdb"))
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


CHILD_ROWS = {
    "items": "select order_id, line_item_index, title from staging.stg_commerce__order_line_items",
    "fulfillments": "select order_id, fulfillment_id from staging.stg_commerce__order_fulfillments",
    "refunds": "select order_id, refund_id from staging.stg_commerce__order_refunds",
    "details": "select tracking_event_id, detail_index, message"
    " from staging.stg_logistics__tracking_details",
    "fields": "select ticket_id, custom_field_id, custom_field_value"
    " from staging.stg_support__ticket_custom_fields",
}


def _children(work: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {name: sorted(_rows(work, sql)) for name, sql in CHILD_ROWS.items()}


def test_a_run_replaces_the_items_of_changed_parents_and_reads_no_other(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _land(
        landing,
        B1,
        [
            _order(1001, "2026-03-01T09:00:00-05:00", 2, ["f1", "f2"], ["r1"]),
            _order(1002, "2026-03-01T09:00:00-05:00", 1, ["f3"], []),
        ],
        [_tracking_event("evt_1", "2026-03-01T10:00:00Z", 2)],
        "full",
        [_ticket(1, "2026-03-01T10:00:00Z", 2), _ticket(2, "2026-03-01T10:00:00Z", 1)],
    )
    _load_and_build(tmp_path)
    # the next day brings another order and event: a run reads that delivery again (the
    # watermark is the newest delivery held), but nothing older
    _land(
        landing,
        B2,
        [_order(1003, "2026-03-02T09:00:00-05:00", 1, [], [])],
        [_tracking_event("evt_2", "2026-03-02T10:00:00Z", 1)],
        "incremental",
        [_ticket(3, "2026-03-02T10:00:00Z", 1)],
    )
    _load_and_build(tmp_path)
    # a mark on the items of the parents the next delivery leaves alone: a run that unnested
    # them again would wash it out
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        con.execute("update staging.stg_commerce__order_line_items set title = 'held' "
                    "where order_id = 1002")  # fmt: skip
        con.execute("update staging.stg_logistics__tracking_details set message = 'held' "
                    "where tracking_event_id = 'evt_1'")  # fmt: skip
        con.execute("update staging.stg_support__ticket_custom_fields "
                    "set custom_field_value = 'held' where ticket_id = '2'")  # fmt: skip
    finally:
        con.close()

    # order 1001 comes again with one item, one fulfillment and no refund; a new tracking event
    _land(
        landing,
        B3,
        [_order(1001, "2026-03-04T09:00:00-05:00", 1, ["f1"], [])],
        [_tracking_event("evt_3", "2026-03-04T10:00:00Z", 3)],
        "incremental",
        # ticket 1 comes again without its custom fields
        [_ticket(1, "2026-03-04T10:00:00Z", 0)],
    )
    _load_and_build(tmp_path)
    assert _children(tmp_path) == {
        "items": [(1001, 1, "item 1"), (1002, 1, "held"), (1003, 1, "item 1")],
        "fulfillments": [(1001, "f1"), (1002, "f3")],
        "refunds": [],
        "details": [
            ("evt_1", 1, "held"),
            ("evt_1", 2, "held"),
            ("evt_2", 1, "checkpoint 1"),
            ("evt_3", 1, "checkpoint 1"),
            ("evt_3", 2, "checkpoint 2"),
            ("evt_3", 3, "checkpoint 3"),
        ],
        "fields": [("2", "101", "held"), ("3", "101", "value 1")],
    }

    # the erasure sweep removes a parent's staging row (its landing line named the person):
    # the next run drops its items, as a full build would not have them
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        con.execute("delete from staging.stg_commerce__orders where order_id = 1003")
    finally:
        con.close()
    _load_and_build(tmp_path)
    assert [r for r in _children(tmp_path)["items"] if r[0] == 1003] == []

    # a full rebuild reads every parent again: the same rows, the marks gone
    _load_and_build(tmp_path, "--full-refresh")
    rebuilt = _children(tmp_path)
    # (the test removed order 1003 from staging only, so the rebuild reads it again from raw)
    assert rebuilt["items"] == [(1001, 1, "item 1"), (1002, 1, "item 1"), (1003, 1, "item 1")]
    assert rebuilt["fulfillments"] == [(1001, "f1"), (1002, "f3")]
    assert rebuilt["refunds"] == []
    assert rebuilt["fields"] == [("2", "101", "value 1"), ("3", "101", "value 1")]
    assert [row[:2] for row in rebuilt["details"]] == [
        ("evt_1", 1), ("evt_1", 2), ("evt_2", 1), ("evt_3", 1), ("evt_3", 2), ("evt_3", 3)
    ]  # fmt: skip
