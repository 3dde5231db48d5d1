"""Golden records rebuilt for the customers whose records changed equal a rebuild of every
customer (macros/golden_incremental.sql), for each way a change reaches other customers: a record
moving to another customer, a record going, a phone becoming shared, a household forming, and
the erasure sweep deleting another customer's golden row.

The world's home after its first run is copied; its linked records are changed in place (the
golden chain's one input from identity), the golden chain is built incrementally, then rebuilt
with ``--full-refresh``, and every table of the chain must be the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from customer_truth.settings import DBT_PROJECT_DIR, Settings
from customer_truth.statements import statement
from customer_truth.warehouse import open_warehouse
from tests.integration.conftest import World, copy_world

# the golden chain, from the linked records to the profile
CHAIN = [
    "int_customer_contact_points",
    "int_customer_golden_record_changes",
    "int_customer_attribute_candidates",
    "int_customer_attributes_survived",
    "fct_customer_attribute_conflicts",
    "int_customer_consent_resolved",
    "int_households_grouped",
    "dim_customer_profile",
    "int_customer_golden_record_states",
]
COMPARED = [
    "intermediate.int_customer_attribute_candidates",
    "intermediate.int_customer_attributes_survived",
    "intermediate.int_customer_golden_record_states",
    "intermediate.int_households_grouped",
    "marts.fct_customer_attribute_conflicts",
    "marts.dim_customer_profile",
]
LINKED = "intermediate.int_customer_records_linked"

# seven customers with two or more live records, a phone and a golden address, in no household,
# in a fixed order: A gives a record to B, C loses one, D takes E's phone, F moves in with G
_CUSTOMERS_SQL = f"""
    select linked.customer_id, min(linked.record_uid),
        any_value(linked.phone) filter (where linked.phone is not null),
        any_value(address.record_uid)
    from {LINKED} as linked
    inner join intermediate.int_customer_attributes_survived as address
        on linked.customer_id = address.customer_id and address.attribute = 'address'
    where linked.is_live
        and linked.customer_id not in (select customer_id from intermediate.int_households_grouped)
    group by linked.customer_id
    having count(*) >= 2 and count(linked.phone) > 0
    order by linked.customer_id
    limit 7
"""  # noqa: S608 (a constant relation name)


_MOVE_SQL = (
    "update intermediate.int_customer_records_linked set customer_id = ? where record_uid = ?"
)
_DELETE_SQL = "delete from intermediate.int_customer_records_linked where record_uid = ?"
_PHONE_SQL = """
    update intermediate.int_customer_records_linked set phone = ?, phones = [?] where record_uid = ?
"""
_ADDRESS_SQL = """
    update intermediate.int_customer_records_linked as f
    set address_line1 = g.address_line1, address_line2 = g.address_line2, city = g.city,
        region = g.region, postal_code = g.postal_code, country = g.country,
        address_key = g.address_key
    from intermediate.int_customer_records_linked as g
    where g.record_uid = ? and f.customer_id = ?
"""


# a customer with an email candidate, none of whose records the test changed
_SWEPT_CUSTOMER_SQL = """
    select min(customer_id) from intermediate.int_customer_attribute_candidates
    where attribute = 'email'
        and customer_id not in (
            select customer_id from intermediate.int_customer_golden_record_changes
            where customer_id is not null
        )
"""
_SWEEP_EMAIL_SQL = """
    delete from intermediate.int_customer_attribute_candidates
    where customer_id = ? and attribute = 'email'
"""


_STATE_EXISTS_SQL = """
    select count(*) from information_schema.tables
    where table_schema = 'intermediate' and table_name = 'int_customer_golden_record_states'
"""


def _dbt_run(settings: Settings, work: Path, *extra: str, select: list[str] | None = None) -> None:
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, "CUSTOMER_TRUTH_HOME": str(settings.home), "DO_NOT_TRACK": "1"}
    command = [
        str(dbt), "run", "--select", *(select or CHAIN), *extra,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:]


def _tables(settings: Settings) -> dict[str, list[tuple]]:
    with open_warehouse(settings) as con:
        # relation names are the constants above
        return {
            table: sorted(con.sql(f"select * from {table}").fetchall(), key=repr)  # noqa: S608
            for table in COMPARED
        }


def _change_linked_records(con: duckdb.DuckDBPyConnection) -> str:
    """Change records of seven customers as a day's identity run could; returns F (who moves)."""
    picked = con.sql(_CUSTOMERS_SQL).fetchall()
    assert len(picked) == 7, "the world has customers to change"
    (a, a_record, _, _), (b, _, _, _), (_, c_record, _, _), (_, d_record, _, _) = picked[:4]
    (_, _, e_phone, _), (f, _, _, _), (_, _, _, g_address_record) = picked[4:]
    con.execute(_MOVE_SQL, [b, a_record])
    con.execute(_DELETE_SQL, [c_record])
    con.execute(_PHONE_SQL, [e_phone, e_phone, d_record])
    # F's records take G's golden address: the two form a household, and G's profile changes
    # though none of G's records did
    con.execute(_ADDRESS_SQL, [g_address_record, f])
    assert a != b and f != b
    return str(f)


def test_golden_records_rebuilt_for_changed_customers_equal_a_rebuild_of_all(
    world: World, tmp_path: Path
) -> None:
    settings = copy_world(world.root, tmp_path / "world")
    # the run's state as the job left it, then the change
    with open_warehouse(settings) as con:
        linked = con.sql(f"select count(*) from {LINKED}").fetchall()[0][0]  # noqa: S608
        moved = _change_linked_records(con)
    _dbt_run(settings, tmp_path / "incremental")
    with open_warehouse(settings) as con:
        changed = con.sql(
            "select count(*) from intermediate.int_customer_golden_record_changes"
        ).fetchall()[0][0]
    # the changed records, those stating the phones whose sharing changed, and little else
    assert 4 <= changed < linked / 10, (changed, linked)
    incremental = _tables(settings)
    # each incremental model of the chain replaced the rows of some customers, not of all
    for model in ("int_customer_attribute_candidates", "int_customer_attributes_survived",
                  "fct_customer_attribute_conflicts", "dim_customer_profile"):  # fmt: skip
        [run_sql] = (tmp_path / "incremental" / "target" / "run").rglob(f"{model}.sql")
        delete = run_sql.read_text().split(";")[0]
        assert "where true" not in " ".join(delete.split()), (model, delete)
    households = incremental["intermediate.int_households_grouped"]
    assert any(row[0] == moved for row in households), "F moved in with G: a household"
    # the erasure sweep deletes golden rows by value, another customer's too (a shared email),
    # and marks that customer's kept state spent: the next run rebuilds what it deleted
    with open_warehouse(settings) as con:
        [(swept,)] = con.sql(_SWEPT_CUSTOMER_SQL).fetchall()
        con.execute(_SWEEP_EMAIL_SQL, [swept])
        con.execute(statement("privacy/sql/forget_golden_state"), {"customer_ids": [swept]})
    _dbt_run(settings, tmp_path / "after-sweep")
    incremental = _tables(settings)
    _dbt_run(settings, tmp_path / "rebuild", "--full-refresh")
    rebuilt = _tables(settings)
    for table in COMPARED:
        assert incremental[table] == rebuilt[table], table
    # a golden model built without the rest of its chain builds every customer and forgets the
    # kept state: the next run of the chain rebuilds every customer
    _dbt_run(settings, tmp_path / "alone", select=["int_customer_attributes_survived"])
    with open_warehouse(settings) as con:
        assert not con.sql(_STATE_EXISTS_SQL).fetchall()[0][0]
