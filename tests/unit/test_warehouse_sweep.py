"""The sweep's per-table delete (privacy/sql/swept_rows.sql): a row goes when one of its text
cells, or an element of one of its lists of text, is an erased person's value, or when it was
built from one of their landing lines; every other row stays."""

from __future__ import annotations

import duckdb

from customer_truth.privacy.warehouse_erasure import _delete_swept_rows


def _sweep_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create temp table _sweep_values as select * from (values ('ct_erased1'), "
                "('ann@example.org')) as t(value)")  # fmt: skip
    con.execute("create temp table _sweep_derived_values as select * from _sweep_values")
    con.execute("create temp table _sweep_lines as select 'crm/b1/contacts.csv' as source_file, "
                "7::bigint as line_number")  # fmt: skip


def test_a_row_goes_by_a_text_cell_a_list_element_or_its_landing_line() -> None:
    con = duckdb.connect()
    _sweep_tables(con)
    con.execute("create schema identity")
    con.execute(
        """create table identity.history as select * from (values
            (1, 'ct_kept', ['rec-a', 'rec-b'], 'crm/b1/contacts.csv', 1::bigint),
            (2, 'ct_erased1', ['rec-c'], 'crm/b1/contacts.csv', 2::bigint),
            (3, 'ct_kept', ['rec-d', 'ann@example.org'], 'crm/b1/contacts.csv', 3::bigint),
            (4, 'ct_kept', null, 'crm/b1/contacts.csv', 7::bigint),
            (5, 'ct_kept', [], null, null),
            (6, null, ['someone@example.org'], 'crm/b1/contacts.csv', 8::bigint)
        ) as t(id, customer_id, record_uids, source_file, line_number)"""
    )
    columns = {
        "id": "INTEGER",
        "customer_id": "VARCHAR",
        "record_uids": "VARCHAR[]",
        "source_file": "VARCHAR",
        "line_number": "BIGINT",
    }
    lost: set[str] = set()
    removed = _delete_swept_rows(con, "identity", "history", columns, lost)
    kept = [row[0] for row in con.sql("select id from identity.history order by id").fetchall()]
    assert (removed, kept, lost) == (3, [1, 5, 6], set())


def test_the_customers_who_lose_a_golden_row_are_told() -> None:
    """A golden table keeps its rows between runs (macros/golden_incremental.sql): the customers
    whose rows the sweep deleted, another customer's shared email included, are named, so that
    their kept state is marked spent and the next run rebuilds them."""
    con = duckdb.connect()
    _sweep_tables(con)
    con.execute("create schema intermediate")
    con.execute(
        """create table intermediate.int_customer_attribute_candidates as select * from (values
            ('ct_erased1', 'email', 'erased@example.org'),
            ('ct_partner', 'email', 'ann@example.org'),
            ('ct_partner', 'phone', '+15550100001'),
            ('ct_other', 'email', 'bo@example.org')
        ) as t(customer_id, attribute, value)"""
    )
    columns = {"customer_id": "VARCHAR", "attribute": "VARCHAR", "value": "VARCHAR"}
    lost: set[str] = set()
    removed = _delete_swept_rows(
        con, "intermediate", "int_customer_attribute_candidates", columns, lost
    )
    assert (removed, lost) == (2, {"ct_erased1", "ct_partner"})
