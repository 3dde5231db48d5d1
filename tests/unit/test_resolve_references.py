"""The attribution rule of `macros/resolve_references.sql`, run on DuckDB as the models run it.

The macro is plain Jinja (no dbt context), so it renders here with the CTE names of a fixture.
What it must keep: a shared identifier decides nothing; what it must not do: join every customer
of a shared identifier to every subject that names it (the work grew with the square of a
switchboard number's reach, beyond any other cost of attribution at a million persons)."""

from __future__ import annotations

import duckdb
import jinja2

from customer_truth.settings import DBT_PROJECT_DIR

MACRO = DBT_PROJECT_DIR / "macros" / "resolve_references.sql"
SHARED_CUSTOMERS = 60
SUBJECTS_CALLING_THE_SHARED_NUMBER = 40


def _resolve(con: duckdb.DuckDBPyConnection, select: str) -> list[tuple[object, ...]]:
    template = jinja2.Environment().from_string(
        MACRO.read_text() + "{{ resolve_references('refs', 'known') }}"
    )
    return con.sql(f"with {template.render()} {select}").fetchall()  # noqa: S608 (fixture SQL)


def _fixture() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # a switchboard number SHARED_CUSTOMERS customers hold; ann's own email and phone
    con.execute(
        "create table known as "
        "select 'phone' as identifier_type, '+15550100' as identifier_value, "
        "'c' || i as customer_id, $shared::bigint as customer_count "
        "from range($shared) as t(i) "
        "union all select 'email', 'ann@example.com', 'ann', 1 "
        "union all select 'phone', '+15550111', 'ann', 1",
        {"shared": SHARED_CUSTOMERS},
    )
    # calls from the switchboard; one of them also names ann's email (rank 1 before the phone)
    con.execute(
        "create table refs as "
        "select 'call' || i as subject_key, 2 as ref_rank, 'phone' as identifier_type, "
        "'+15550100' as identifier_value from range($calls) as t(i) "
        "union all select 'call0', 1, 'email', 'ann@example.com' "
        "union all select 'order1', 1, 'phone', '+15550111' "
        "union all select 'order2', 1, 'email', 'nobody@example.com'",
        {"calls": SUBJECTS_CALLING_THE_SHARED_NUMBER},
    )
    return con


def test_a_shared_identifier_decides_nothing_and_an_unshared_one_does() -> None:
    rows = _resolve(
        _fixture(),
        "select subject_key, customer_id, attribution_path, unattributed_reason "
        "from resolved_references where subject_key in ('call0', 'call1', 'order1', 'order2') "
        "order by subject_key",
    )
    assert rows == [
        ("call0", "ann", "email", None),
        ("call1", None, None, "ambiguous_shared_identifier"),
        ("order1", "ann", "phone", None),
        ("order2", None, None, "identifier_not_resolved"),
    ]


def test_each_reference_meets_a_shared_identifier_once_not_once_per_customer() -> None:
    [(candidates,)] = _resolve(_fixture(), "select count(*) from reference_candidates")
    references = SUBJECTS_CALLING_THE_SHARED_NUMBER + 3
    assert candidates == references  # not 40 x 60 + 3
