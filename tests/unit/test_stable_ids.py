"""Stable customer ids across runs, batches, merges and splits (hand-made clusters, in memory)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import jinja2
import pytest

from customer_truth.identity import stable_ids
from customer_truth.identity.stable_ids import assign_customer_ids, ensure_state_tables
from customer_truth.settings import DBT_PROJECT_DIR
from customer_truth.statements import macro
from customer_truth.warehouse import connect

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(":memory:")
    connection.execute("create schema identity")
    yield connection
    connection.close()


def write_clusters(con: duckdb.DuckDBPyConnection, clusters: dict[str, list[str]]) -> None:
    """Replace identity.record_clusters with {cluster_key: [record_uid, ...]}."""
    con.execute(
        """
        create or replace table identity.record_clusters (
            record_uid varchar, cluster_key varchar, match_rule varchar,
            match_score double, resolved_at timestamptz
        )
        """
    )
    rows = [(uid, key) for key, uids in clusters.items() for uid in uids]
    if rows:
        con.executemany(
            "insert into identity.record_clusters values (?, ?, 'email_exact', null, now())",
            rows,
        )


def ids(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(
        con.sql("select record_uid, customer_id from identity.record_customer_ids").fetchall()
    )


def events(con: duckdb.DuckDBPyConnection, since: datetime) -> list[tuple]:
    return con.execute(
        """
        select event_type, customer_id, from_customer_id, into_customer_id, record_uids, reason
        from identity.customer_id_history where occurred_at >= ? order by event_id
        """,
        [since],
    ).fetchall()


def run(con: duckdb.DuckDBPyConnection, clusters: dict[str, list[str]], day: int) -> dict:
    write_clusters(con, clusters)
    assign_customer_ids(con, run_at=T0 + timedelta(days=day))
    return ids(con)


WORLD = {
    "k1": ["crm:contacts:A", "commerce:customers:1"],
    "k2": ["crm:contacts:B"],
    "k3": ["billing:customers:cus_1", "support:users:9", "digital:anonymous_id:x"],
}


def test_every_cluster_gets_one_id_and_each_records_a_created_event(con) -> None:
    first = run(con, WORLD, 0)
    assert len(set(first.values())) == 3
    assert first["crm:contacts:A"] == first["commerce:customers:1"]
    assert all(value.startswith("ct_") for value in first.values())
    created = events(con, T0)
    assert [event[0] for event in created] == ["created"] * 3
    assert all(event[5].startswith("new person") for event in created)


def test_running_twice_on_the_same_clusters_keeps_every_id_and_records_nothing(con) -> None:
    first = run(con, WORLD, 0)
    # cluster keys mean nothing across runs: rename them all
    renamed = {f"other-{key}": uids for key, uids in WORLD.items()}
    second = run(con, renamed, 1)
    assert second == first
    assert events(con, T0 + timedelta(days=1)) == []
    linked = con.sql("select distinct linked_at from identity.record_customer_ids").fetchall()
    assert linked == [(T0,)]  # linked_at is when the link was made, not the latest run


def test_a_new_incremental_batch_keeps_the_ids_of_unchanged_persons(con) -> None:
    first = run(con, WORLD, 0)
    grown = {
        "n1": [*WORLD["k1"], "digital:user_id:1"],  # a person gains a record
        "n2": WORLD["k2"],
        "n3": WORLD["k3"],
        "n4": ["crm:contacts:NEW"],  # a new person
    }
    second = run(con, grown, 1)
    for uid, customer_id in first.items():
        assert second[uid] == customer_id
    assert second["digital:user_id:1"] == first["crm:contacts:A"]
    assert second["crm:contacts:NEW"] not in first.values()
    assert [event[0] for event in events(con, T0 + timedelta(days=1))] == ["created"]


def test_a_merge_keeps_the_id_held_by_the_most_records(con) -> None:
    first = run(con, WORLD, 0)
    merged = {"m": WORLD["k1"] + WORLD["k3"], "k2": WORLD["k2"]}
    second = run(con, merged, 1)
    survivor = first["billing:customers:cus_1"]  # 3 records beat 2
    absorbed = first["crm:contacts:A"]
    assert {second[uid] for uid in merged["m"]} == {survivor}
    history = events(con, T0 + timedelta(days=1))
    assert [(e[0], e[1], e[3]) for e in history] == [("merged", absorbed, survivor)]
    assert sorted(history[0][4]) == sorted(WORLD["k1"])
    assert "merged into" in history[0][5]
    status = con.execute(
        "select status, superseded_by from identity.customers where customer_id = ?", [absorbed]
    ).fetchone()
    assert status == ("merged", survivor)


def test_a_merge_of_equal_sizes_keeps_the_oldest_id(con) -> None:
    run(con, {"a": ["crm:contacts:A"]}, 0)
    later = run(con, {"a": ["crm:contacts:A"], "b": ["crm:contacts:B"]}, 1)
    older_id, newer_id = later["crm:contacts:A"], later["crm:contacts:B"]
    merged = run(con, {"ab": ["crm:contacts:A", "crm:contacts:B"]}, 2)
    assert set(merged.values()) == {older_id}
    assert [(e[0], e[1], e[3]) for e in events(con, T0 + timedelta(days=2))] == [
        ("merged", newer_id, older_id)
    ]


def test_a_merge_of_equal_sizes_and_ages_keeps_the_smallest_id(con) -> None:
    first = run(con, {"a": ["crm:contacts:A"], "b": ["crm:contacts:B"]}, 0)
    merged = run(con, {"ab": ["crm:contacts:A", "crm:contacts:B"]}, 1)
    assert set(merged.values()) == {min(first.values())}


def test_a_split_leaves_the_id_with_the_larger_part_and_records_why(con) -> None:
    first = run(con, WORLD, 0)
    split = {
        "k1": WORLD["k1"],
        "k2": WORLD["k2"],
        "big": ["billing:customers:cus_1", "support:users:9"],
        "small": ["digital:anonymous_id:x"],
    }
    second = run(con, split, 1)
    old = first["billing:customers:cus_1"]
    assert second["support:users:9"] == old
    new = second["digital:anonymous_id:x"]
    assert new != old and new not in first.values()
    history = events(con, T0 + timedelta(days=1))
    assert [(e[0], e[1], e[2], e[3]) for e in history] == [
        ("split", old, old, new),
        ("created", new, old, None),
    ]
    assert history[0][4] == ["digital:anonymous_id:x"]
    assert "larger part" in history[0][5]
    assert history[1][5].startswith("split from " + old)


def test_a_split_into_equal_parts_leaves_the_id_with_the_earliest_assigned_record(con) -> None:
    run(con, {"a": ["crm:contacts:Z"]}, 0)
    # a later record joins; then the two separate again: Z was assigned first and keeps the id
    joined = run(con, {"a": ["crm:contacts:Z", "crm:contacts:A"]}, 1)
    original = joined["crm:contacts:Z"]
    apart = run(con, {"x": ["crm:contacts:A"], "y": ["crm:contacts:Z"]}, 2)
    assert apart["crm:contacts:Z"] == original
    assert apart["crm:contacts:A"] != original


def test_a_split_part_that_joins_another_person_is_recorded_as_split_into_it(con) -> None:
    first = run(con, WORLD, 0)
    moved = {
        "k1": [*WORLD["k1"], "digital:anonymous_id:x"],
        "k2": WORLD["k2"],
        "k3": ["billing:customers:cus_1", "support:users:9"],
    }
    second = run(con, moved, 1)
    assert second["digital:anonymous_id:x"] == first["crm:contacts:A"]
    history = events(con, T0 + timedelta(days=1))
    assert [(e[0], e[1], e[3]) for e in history] == [
        ("split", first["support:users:9"], first["crm:contacts:A"])
    ]


def test_merge_and_split_at_once_follow_both_rules(con) -> None:
    first = run(con, WORLD, 0)
    # k3 splits 2/1, and its larger part merges with k2 (1 record): k3's id survives the merge
    mixed = {
        "p": ["billing:customers:cus_1", "support:users:9", "crm:contacts:B"],
        "q": ["digital:anonymous_id:x"],
        "k1": WORLD["k1"],
    }
    second = run(con, mixed, 1)
    assert second["crm:contacts:B"] == first["billing:customers:cus_1"]
    assert second["digital:anonymous_id:x"] not in first.values()
    kinds = sorted(e[0] for e in events(con, T0 + timedelta(days=1)))
    assert kinds == ["created", "merged", "split"]


def test_an_id_is_never_reused_even_when_its_founding_record_founds_again(con) -> None:
    first = run(con, {"a": ["crm:contacts:A"], "b": ["crm:contacts:B", "crm:contacts:C"]}, 0)
    # A merges into B's larger cluster (its id is retired), then separates again
    run(con, {"abc": ["crm:contacts:A", "crm:contacts:B", "crm:contacts:C"]}, 1)
    third = run(con, {"a": ["crm:contacts:A"], "bc": ["crm:contacts:B", "crm:contacts:C"]}, 2)
    assert third["crm:contacts:A"] == first["crm:contacts:A"] + "_2"
    issued = con.execute("select count(*), count(distinct customer_id) from identity.customers")
    assert issued.fetchone() == (3, 3)


def test_an_id_whose_records_all_disappear_is_retired(con) -> None:
    first = run(con, WORLD, 0)
    second = run(con, {"k1": WORLD["k1"], "k3": WORLD["k3"]}, 1)
    assert "crm:contacts:B" not in second
    history = events(con, T0 + timedelta(days=1))
    assert [(e[0], e[1]) for e in history] == [("retired", first["crm:contacts:B"])]


def test_an_empty_clustering_is_refused_and_changes_nothing(con) -> None:
    first = run(con, WORLD, 0)
    write_clusters(con, {})
    with pytest.raises(ValueError, match="empty"):
        assign_customer_ids(con, run_at=T0 + timedelta(days=1))
    assert ids(con) == first
    assert con.execute("select count(*) from identity.customer_id_history").fetchone() == (3,)


def test_a_record_in_two_clusters_is_refused(con) -> None:
    write_clusters(con, {"a": ["crm:contacts:A"], "b": ["crm:contacts:A"]})
    with pytest.raises(ValueError, match="duplicated"):
        assign_customer_ids(con, run_at=T0)


def test_ids_do_not_depend_on_cluster_keys_or_row_order(con) -> None:
    first = run(con, WORLD, 0)
    other = connect(":memory:")
    other.execute("create schema identity")
    reordered = {str(i): list(reversed(uids)) for i, uids in enumerate(reversed(WORLD.values()))}
    assert run(other, reordered, 5) == first


def test_the_state_tables_have_one_definition_that_dbt_and_the_python_step_both_run() -> None:
    """dbt creates the state tables empty on a fresh warehouse (on-run-start); the stable-id
    step creates them from the same macro, so their shape cannot drift."""
    dbt_project = (DBT_PROJECT_DIR / "dbt_project.yml").read_text()
    assert "{{ ensure_identity_state() }}" in dbt_project
    macro_file = DBT_PROJECT_DIR / "macros" / "ensure_identity_state.sql"
    module = jinja2.Environment().from_string(macro_file.read_text()).module
    assert macro("ensure_identity_state") == str(module.ensure_identity_state())  # type: ignore[attr-defined]
    con = connect(":memory:")
    ensure_state_tables(con)
    tables = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'identity' order by all"
    ).fetchall()
    assert [name for (name,) in tables] == [
        "customer_id_history",
        "customer_id_runs",
        "customer_ids",
        "customers",
        "record_customer_ids",
    ]
    source = (Path(stable_ids.__file__)).read_text().lower()
    assert "create table" not in source
