"""The dbt staging layer: house rules hold for every model, and `dbt build` (models, data tests
and the dbt unit tests) passes on the raw layer that the project's own ingestion writes.

dbt's target and log paths point into a temporary folder, so these tests never touch
`dbt_project/target/` (the manifest Dagster loads) or the real warehouse. `dbt build` runs in a
subprocess: dbt-duckdb keeps its database open for the life of the process that ran it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from customer_truth.contracts import CONTRACTS
from customer_truth.ingest import load_new_batches
from customer_truth.settings import DBT_PROJECT_DIR
from customer_truth.warehouse import connect, ensure_raw_schema
from tests.landing_builder import jsonl, write_batch

# the module's fixtures build a warehouse with dbt (~45 s): one worker builds it once for all
# its tests, instead of each worker that draws one of them building its own
pytestmark = pytest.mark.xdist_group("dbt_staging")

B1, B2, B3 = "20260301T000000Z", "20260305T000000Z", "20260307T000000Z"


def _dbt_args(work: Path) -> list[str]:
    return [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]


@pytest.fixture(scope="module")
def manifest(built_warehouse: Path) -> dict[str, Any]:
    """The manifest of the module's `dbt build` (which parsed the project into its own target
    folder): one parse for the module, not one more."""
    return json.loads((built_warehouse.parent / "target" / "manifest.json").read_text())


def _staging_models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "staging"
    }


def _tests_on(manifest: dict[str, Any], model_id: str) -> list[dict[str, Any]]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node") == model_id
    ]


def test_every_raw_table_is_a_source_and_has_a_staging_model(manifest: dict[str, Any]) -> None:
    sources = {(s["source_name"], s["name"], s["schema"]) for s in manifest["sources"].values()}
    models = _staging_models(manifest)
    for contract in CONTRACTS:
        assert ("raw", contract.table, "raw") in sources
        assert f"stg_{contract.table}" in models


def test_staging_models_are_tables_in_the_staging_schema(manifest: dict[str, Any]) -> None:
    incremental = set()
    for name, node in _staging_models(manifest).items():
        assert node["schema"] == "staging", name
        config = node["config"]
        # identity's own tables are read through views: they parse nothing, and a view holds
        # no copy that the erasure sweep would have to find
        kinds = ("view",) if name.startswith("stg_identity__") else ("table", "incremental")
        assert config["materialized"] in kinds, name
        if config["materialized"] == "incremental" and "reread_parents" in config:
            # items nested in a parent's record: every item of a re-read parent is replaced
            assert config["incremental_strategy"] == "replace_parents", name
            assert config["on_schema_change"] == "fail", name
            assert "staging_reread_parents_filter" in node["raw_code"], name
            # the parent it re-reads is the one it unnests, and its raw table that parent's
            parent = config["reread_parents"]
            assert f"model.customer_truth.{parent['model']}" in node["depends_on"]["nodes"], name
            raw = f"source.customer_truth.raw.{parent['raw']}"
            assert raw in node["depends_on"]["nodes"], name
            parent_node = manifest["nodes"][f"model.customer_truth.{parent['model']}"]
            assert raw in parent_node["depends_on"]["nodes"], name
            incremental.add(name)
        elif config["materialized"] == "incremental":
            # new versions merged by key: the held row of each key they name is replaced
            assert config["incremental_strategy"] == "delete+insert", name
            assert config["unique_key"] and config["on_schema_change"] == "fail", name
            assert "staging_new_deliveries" in node["raw_code"], name
            assert "staging_versions_with_held" in node["raw_code"], name
            incremental.add(name)
    # the largest entities of every event-bearing system read only what is new
    assert {
        "stg_digital__events",
        "stg_commerce__orders",
        "stg_contact_center__contact_records",
        "stg_billing__charges",
        "stg_billing__invoices",
        "stg_logistics__tracking_events",
        # and every entity kept as its latest version by key (history grows with every batch)
        "stg_crm__contacts",
        "stg_crm__accounts",
        "stg_commerce__customers",
        "stg_support__users",
        "stg_support__tickets",
        "stg_contact_center__transcripts",
        # and the items nested in those records, by parent
        "stg_commerce__order_line_items",
        "stg_commerce__order_fulfillments",
        "stg_commerce__order_refunds",
        "stg_logistics__tracking_details",
        "stg_support__ticket_custom_fields",
    } <= incremental


def test_every_staging_model_states_its_grain_and_tests_its_primary_key(
    manifest: dict[str, Any],
) -> None:
    for name, node in _staging_models(manifest).items():
        assert node["description"].strip().startswith("One row per"), name
        # primary key tests fail the build; only tests that dirty data legitimately fails warn
        blocking = {
            t["test_metadata"]["name"]
            for t in _tests_on(manifest, node["unique_id"])
            if t.get("test_metadata") and t["config"]["severity"].lower() == "error"
        }
        assert "not_null" in blocking, name
        assert {"unique", "unique_combination_of_columns"} & blocking, name


def test_only_staging_models_read_sources(manifest: dict[str, Any]) -> None:
    # the flow reads one way: raw tables (and identity's state) reach the models through staging
    readers = {
        node["name"]: node["original_file_path"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "snapshot")
        and any(dep.startswith("source.") for dep in node["depends_on"]["nodes"])
    }
    assert {"stg_crm__contacts", "stg_identity__customers"} <= set(readers)
    outside = {
        name: path for name, path in readers.items() if not path.startswith("models/staging/")
    }
    assert not outside, outside


def test_the_erasure_suppression_state_refuses_a_full_refresh(manifest: dict[str, Any]) -> None:
    # `dbt build --full-refresh` (customer-truth run --full-refresh) must never forget an erasure
    (state,) = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] == "erasure_suppressed_identifiers"
    ]
    assert state["config"]["materialized"] == "incremental"
    assert state["config"]["full_refresh"] is False


def test_unknown_enum_values_warn_instead_of_failing(manifest: dict[str, Any]) -> None:
    # vendors add enum values (SOURCES.md): on staging models an unknown value must surface
    # without failing the build; models downstream hold values our own code produces
    accepted = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "accepted_values"
        and any(dep.split(".")[-1].startswith("stg_") for dep in node["depends_on"]["nodes"])
    ]
    assert accepted
    for node in accepted:
        assert node["config"]["severity"].lower() == "warn", node["name"]


def test_staging_has_unit_tests_for_survivorship_and_timestamps(manifest: dict[str, Any]) -> None:
    names = {u["name"] for u in manifest.get("unit_tests", {}).values()}
    assert "to_utc_converts_every_source_timestamp_format_to_the_right_utc_instant" in names
    assert "crm_contacts_latest_version_wins_even_when_an_older_one_arrives_later" in names
    assert "billing_customers_deleted_stub_is_flagged_and_keeps_the_last_live_attributes" in names


# ------------------------------------------------------------------------------------------
# dbt build on what ingestion writes
# ------------------------------------------------------------------------------------------

CONTACT_HEADER = [
    "Id",
    "AccountId",
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "Birthdate",
    "MailingStreet",
    "HasOptedOutOfEmail",
    "DoNotCall",
    "IsDeleted",
    "MasterRecordId",
    "CreatedDate",
    "LastModifiedDate",
]


def _salesforce_csv(rows: list[dict[str, str]], *, bom: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CONTACT_HEADER)
    for row in rows:
        writer.writerow([row.get(column, "") for column in CONTACT_HEADER])
    data = buffer.getvalue().encode()
    return b"\xef\xbb\xbf" + data if bom else data


def _contact(contact_id: str, modified: str, **fields: str) -> dict[str, str]:
    return {
        "Id": contact_id,
        "IsDeleted": "false",
        "HasOptedOutOfEmail": "false",
        "DoNotCall": "false",
        "CreatedDate": "2026-01-10T09:00:00.000+0000",
        "LastModifiedDate": modified,
        **fields,
    }


def _write_landing(landing: Path) -> None:
    bob = _contact(
        "003A",
        "2026-03-01T12:00:00.000+0000",
        FirstName="Bob",
        Email="  Bob@Example.COM ",
        MailingStreet="1 Main St",
    )
    write_batch(
        landing,
        "crm",
        B1,
        {
            "contacts.csv": _salesforce_csv(
                [bob, _contact("003B", "2026-02-01T00:00:00.000+0000", FirstName="Dupe")], bom=True
            ),
            "accounts.csv": b"Id,Name,IsDeleted,CreatedDate,LastModifiedDate\r\n",
        },
    )
    write_batch(
        landing,
        "crm",
        B2,
        {
            "contacts.csv": _salesforce_csv(
                [
                    {
                        **bob,
                        "MailingStreet": "9 Elm St",
                        "LastModifiedDate": "2026-03-04T08:30:00.000+0000",
                    },
                    _contact(
                        "003B",
                        "2026-03-04T00:00:00.000+0000",
                        FirstName="Dupe",
                        IsDeleted="true",
                        MasterRecordId="003A",
                    ),
                ],
                bom=False,
            ),
            "accounts.csv": b"Id,Name,IsDeleted,CreatedDate,LastModifiedDate\r\n",
        },
        mode="incremental",
    )
    # an older version of Bob arrives late
    write_batch(
        landing,
        "crm",
        B3,
        {
            "contacts.csv": _salesforce_csv(
                [
                    {
                        **bob,
                        "MailingStreet": "OLD",
                        "LastModifiedDate": "2026-02-20T00:00:00.000+0000",
                    }
                ],
                bom=True,
            ),
            "accounts.csv": b"Id,Name,IsDeleted,CreatedDate,LastModifiedDate\r\n",
        },
        mode="incremental",
    )
    write_batch(
        landing,
        "billing",
        B1,
        {
            "customers.jsonl": jsonl({"id": "cus_A", "email": "a@x.com", "created": 1772366400}),
            "invoices.jsonl": b"",
            "charges.jsonl": jsonl(
                {
                    "id": "ch_1",
                    "customer": "cus_A",
                    "amount": 1200,
                    "status": "pending",
                    "created": 1772366400,
                }
            ),
        },
    )
    write_batch(
        landing,
        "billing",
        B2,
        {
            "customers.jsonl": jsonl({"id": "cus_A", "object": "customer", "deleted": True}),
            "invoices.jsonl": b"",
            "charges.jsonl": jsonl(
                {
                    "id": "ch_1",
                    "customer": "cus_A",
                    "amount": 1200,
                    "status": "succeeded",
                    "created": 1772366400,
                }
            ),
        },
        mode="incremental",
    )


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("dbt_build")
    warehouse = work / "warehouse.duckdb"
    landing = work / "landing"
    _write_landing(landing)
    con = connect(warehouse)
    try:
        ensure_raw_schema(con)
        for system in ("crm", "billing"):
            load_new_batches(con, landing, system)
    finally:
        con.close()
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, "CUSTOMER_TRUTH_HOME": str(work), "DO_NOT_TRACK": "1"}
    build = subprocess.run(
        [str(dbt), "build", *_dbt_args(work)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-4000:]
    yield warehouse


def _rows(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_dbt_build_passes_on_what_ingestion_writes(built_warehouse: Path) -> None:
    staged = _rows(
        built_warehouse,
        "select table_name from duckdb_tables() where schema_name = 'staging' order by 1",
    )
    assert {f"stg_{c.table}" for c in CONTRACTS} <= {name for (name,) in staged}


def test_a_late_older_salesforce_version_does_not_overwrite_the_newer_one(
    built_warehouse: Path,
) -> None:
    rows = _rows(
        built_warehouse,
        "select mailing_street, email, email_normalized, batch_id from staging.stg_crm__contacts"
        " where crm_contact_id = '003A'",
    )
    assert rows == [("9 Elm St", "Bob@Example.COM", "bob@example.com", B2)]


def test_a_merged_salesforce_contact_is_kept_and_points_to_its_survivor(
    built_warehouse: Path,
) -> None:
    rows = _rows(
        built_warehouse,
        "select is_deleted, master_record_id from staging.stg_crm__contacts"
        " where crm_contact_id = '003B'",
    )
    assert rows == [(True, "003A")]


def test_a_deleted_stripe_customer_is_flagged_and_keeps_its_last_attributes(
    built_warehouse: Path,
) -> None:
    rows = _rows(
        built_warehouse,
        "select email, is_deleted, deleted_batch_id from staging.stg_billing__customers",
    )
    assert rows == [("a@x.com", True, B2)]
    charges = _rows(built_warehouse, "select charge_status from staging.stg_billing__charges")
    assert charges == [("succeeded",)]
