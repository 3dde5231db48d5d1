"""Ingestion: exactly-once batch loading, quarantine with reasons, reconciliation with _SUCCESS."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_truth import parsing
from customer_truth.ingest import load_new_batches
from customer_truth.warehouse import connect
from tests.landing_builder import CHARGE, jsonl, write_batch

B1, B2, B3 = "20260301T000000Z", "20260302T000000Z", "20260303T000000Z"


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(":memory:")
    yield connection
    connection.close()


def _quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return con.sql(
        "select line_number, reason from ingest.quarantine order by source_file, line_number"
    ).fetchall()


def _snapshot(con: duckdb.DuckDBPyConnection) -> list[list[tuple[Any, ...]]]:
    tables = [
        "raw.billing__charges",
        "ingest.quarantine",
        "ingest.batch_loads",
        "ingest.file_loads",
    ]
    return [con.sql(f"select * from {t} order by all").fetchall() for t in tables]  # noqa: S608


def test_broken_lines_are_quarantined_with_reasons_and_good_lines_load(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    lines = b"\n".join(
        [
            json.dumps(CHARGE).encode(),  # 1 good
            b'{"id": "ch_2", "amount": 12',  # 2 truncated
            json.dumps({**CHARGE, "id": "ch_3", "amount": "12.00"}).encode(),  # 3 wrong type
            json.dumps({**CHARGE, "id": None}).encode(),  # 4 missing id
            b'{"id": "ch_5", "note": "caf\xe9"}',  # 5 not UTF-8
            b"[1, 2]",  # 6 not an object
            json.dumps(
                {
                    **CHARGE,
                    "id": "ch_7",
                    "status": "mystery",
                    "brand_new": {"x": 1},
                    "failure_message": "'; drop table raw.billing__charges; --" * 50,
                }
            ).encode(),
            b"",
        ]
    )
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": lines})
    loads = load_new_batches(con, tmp_path, "billing")[B1]
    assert [(q[0], q[1].split(":")[0]) for q in _quarantine(con)] == [
        (2, "not valid JSON (truncated or malformed line)"),
        (3, "wrong type"),
        (4, "required id `id` is missing or empty"),
        (5, "not valid UTF-8"),
        (6, "not a JSON object"),
    ]
    assert "`amount` is VARCHAR" in _quarantine(con)[1][1]
    kept = con.sql(
        "select record_key, payload->>'$.brand_new.x', payload->>'$.status' "
        "from raw.billing__charges order by line_number"
    ).fetchall()
    assert kept == [("ch_1", None, "succeeded"), ("ch_7", "1", "mystery")]
    (load,) = loads
    assert (load.landed_rows, load.loaded_rows, load.quarantined_rows) == (7, 2, 5)
    assert load.reconciled


def test_quarantine_keeps_the_raw_text_of_the_bad_line(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": b'{"id": "ch_2", "amo\n\xff\xfe\n'})
    load_new_batches(con, tmp_path, "billing")
    assert con.sql("select raw_text from ingest.quarantine order by line_number").fetchall() == [
        ('{"id": "ch_2", "amo',),
        ("\\xFF\\xFE",),
    ]


def test_raw_rows_carry_batch_file_line_and_load_time(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": b"\n" + jsonl(CHARGE)})
    load_new_batches(con, tmp_path, "billing")
    row = con.sql(
        "select batch_id, batch_mode, source_file, line_number, loaded_at is not null, "
        "extracted_at from raw.billing__charges"
    ).fetchall()[0]
    assert row[:5] == (B1, "full", f"billing/{B1}/charges.jsonl", 2, True)
    assert row[5].isoformat() == "2026-03-01T00:00:00+00:00"


def test_a_count_mismatch_is_reported_not_swallowed(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    write_batch(
        tmp_path,
        "billing",
        B1,
        {"charges.jsonl": jsonl(CHARGE)},
        declared={"charges.jsonl": 3, "invoices.jsonl": 2},
    )
    loads = {load.file_name: load for load in load_new_batches(con, tmp_path, "billing")[B1]}
    assert loads["charges.jsonl"].problem == "_SUCCESS declares 3 rows, the file has 1"
    assert loads["invoices.jsonl"].problem == "_SUCCESS declares 2 rows, the file is missing"
    recorded = con.sql("select file_name, reconciled from ingest.file_loads order by 1").fetchall()
    assert recorded == [("charges.jsonl", False), ("invoices.jsonl", False)]


def test_a_malformed_manifest_still_loads_rows_and_fails_reconciliation(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    folder = write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    (folder / "_SUCCESS").write_text("{not json")
    (load,) = load_new_batches(con, tmp_path, "billing")[B1]
    assert load.loaded_rows == 1
    assert load.problem is not None and load.problem.startswith("manifest unusable")


def test_a_batch_without_success_is_never_read(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)}, complete=False)
    assert load_new_batches(con, tmp_path, "billing") == {}
    assert con.sql("select count(*) from raw.billing__charges").fetchall() == [(0,)]


def test_loading_the_same_batches_again_changes_nothing(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE) + b"{broken\n"})
    load_new_batches(con, tmp_path, "billing")
    before = _snapshot(con)
    assert load_new_batches(con, tmp_path, "billing") == {}
    assert _snapshot(con) == before


def test_a_new_incremental_batch_is_picked_up_alone(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    load_new_batches(con, tmp_path, "billing")
    write_batch(
        tmp_path,
        "billing",
        B2,
        {"charges.jsonl": jsonl({**CHARGE, "id": "ch_9"})},
        mode="incremental",
    )
    write_batch(tmp_path, "billing", B3, {"charges.jsonl": jsonl(CHARGE)}, complete=False)
    loaded = load_new_batches(con, tmp_path, "billing")
    assert list(loaded) == [B2]
    assert con.sql(
        "select batch_id, record_key from raw.billing__charges order by 1"
    ).fetchall() == [(B1, "ch_1"), (B2, "ch_9")]


def test_load_times_never_go_back_even_when_the_clock_does(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Incremental staging reads what was loaded after its last delivery: a batch loaded after
    the clock was set back must still be stamped after every earlier load."""
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    load_new_batches(con, tmp_path, "billing")
    # the clock stood an hour ahead when B1 loaded, and has since been corrected
    con.execute("update ingest.batch_loads set loaded_at = loaded_at + interval 1 hour")
    ahead = con.sql("select max(loaded_at) from ingest.batch_loads").fetchall()[0][0]
    write_batch(
        tmp_path,
        "billing",
        B2,
        {"charges.jsonl": jsonl({**CHARGE, "id": "ch_9"})},
        mode="incremental",
    )
    load_new_batches(con, tmp_path, "billing")
    stamped = con.sql(
        "select loaded_at from ingest.batch_loads where batch_id = ?", params=[B2]
    ).fetchall()[0][0]
    assert stamped > ahead
    raw = con.sql(
        "select distinct loaded_at from raw.billing__charges where batch_id = ?", params=[B2]
    ).fetchall()
    assert raw == [(stamped,)]


def test_an_unknown_file_in_a_batch_is_recorded_not_silently_ignored(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE), "refunds.jsonl": b"{}\n"})
    loads = {load.file_name: load for load in load_new_batches(con, tmp_path, "billing")[B1]}
    assert not loads["refunds.jsonl"].reconciled
    assert (
        con.sql("select source_file, reason from ingest.quarantine").fetchall()[0][0]
        == f"billing/{B1}/refunds.jsonl"
    )


def test_salesforce_csv_rows_with_bad_formats_or_shapes_are_quarantined(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    header = b"Id,FirstName,IsDeleted,Birthdate,LastModifiedDate,NewVendorField\n"
    good = b"003000000000000001,Ann,false,1990-01-02,2026-03-01T12:00:00.000+0000,x\n"
    rows = [
        good,
        b"003000000000000002,Bob,yes,1990-01-02,2026-03-01T12:00:00.000+0000,x\n",
        b"003000000000000003,Cy,false,02/01/1990,2026-03-01T12:00:00.000+0000,x\n",
        b",NoId,false,,2026-03-01T12:00:00.000+0000,x\n",
        b"003000000000000005,Too,false,,2026-03-01T12:00:00.000+0000,x,extra\n",
    ]
    write_batch(tmp_path, "crm", B1, {"contacts.csv": b"\xef\xbb\xbf" + header + b"".join(rows)})
    load_new_batches(con, tmp_path, "crm")
    assert _quarantine(con) == [
        (2, "wrong format: `IsDeleted` is not true|false"),
        (3, "wrong format: `Birthdate` is not \\d{4}-\\d{2}-\\d{2}"),
        (4, "required id `Id` is missing or empty"),
        (5, "a record with 7 fields where the header has 6"),
    ]
    assert con.sql(
        "select record_key, payload->>'$.NewVendorField' from raw.crm__contacts"
    ).fetchall() == [("003000000000000001", "x")]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.one_of(
            st.binary(max_size=30),
            st.builds(
                lambda r: json.dumps(r).encode(),
                st.fixed_dictionaries(
                    {"id": st.one_of(st.none(), st.text(max_size=5), st.integers())},
                    optional={
                        "amount": st.one_of(
                            st.integers(),
                            st.text(max_size=4),
                            st.floats(),
                            st.booleans(),
                            st.none(),
                        )
                    },
                ),
            ),
        ).filter(lambda b: b"\n" not in b),
        max_size=25,
    )
)
def test_any_bytes_either_load_or_quarantine_and_the_counts_add_up(
    tmp_path_factory, lines: list[bytes]
) -> None:
    landing = tmp_path_factory.mktemp("landing")
    data = b"\n".join(lines)
    write_batch(landing, "billing", B1, {"charges.jsonl": data})
    con = connect(":memory:")
    (load,) = load_new_batches(con, landing, "billing")[B1]
    non_blank = sum(1 for line in data.split(b"\n") if line.strip())
    assert load.landed_rows == non_blank
    assert load.landed_rows == load.loaded_rows + load.quarantined_rows
    stored = con.sql(
        "select (select count(*) from raw.billing__charges), "
        "(select count(*) from ingest.quarantine)"
    ).fetchall()[0]
    assert stored == (load.loaded_rows, load.quarantined_rows)
    con.close()


def test_a_line_of_whitespace_alone_is_not_a_row_and_any_other_character_makes_one(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Blank means what the contract counts as blank (Python's ``bytes.strip``: space, tab,
    line feed, carriage return, vertical tab, form feed); a line holding anything else lands,
    and is quarantined when it is not a JSON object."""
    lines = [
        b'{"id": "ch_1", "amount": 5}',
        b" ",
        b"\t\x0b\x0c\r ",
        b"",
        b"\x1c",  # a file separator: not whitespace to the contract
        b' \xa0{"id": "ch_2"}',  # a byte that is not UTF-8 before the object
    ]
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": b"\n".join(lines)})
    (load,) = load_new_batches(con, tmp_path, "billing")[B1]
    assert (load.landed_rows, load.loaded_rows, load.quarantined_rows) == (3, 1, 2)
    assert con.sql("select line_number, reason from ingest.quarantine order by 1").fetchall() == [
        (5, "not valid JSON (truncated or malformed line)"),
        (6, "not valid UTF-8"),
    ]


def test_a_stray_quote_in_a_csv_field_is_quarantined_not_repaired(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Regression: a stray quote inside a CSV field changed values without quarantine
    (`"Str"ay` became `Stray`)."""
    header = b"Id,FirstName,LastName\r\n"
    rows = [
        b'"003000000000000001","Ann","Str"ay"\r\n',
        b'"003000000000000002","Bob",Str"ay\r\n',
        b'"003000000000000003","Cy","Smith"\r\n',
    ]
    write_batch(tmp_path, "crm", B1, {"contacts.csv": header + b"".join(rows)})
    (load,) = load_new_batches(con, tmp_path, "crm")[B1]
    quarantined = con.sql(
        "select line_number, reason, raw_text from ingest.quarantine order by line_number"
    ).fetchall()
    assert [(n, reason.split(":")[0], text) for n, reason, text in quarantined] == [
        (1, "malformed CSV quoting (RFC 4180)", '"003000000000000001","Ann","Str"ay"'),
        (2, "malformed CSV quoting (RFC 4180)", '"003000000000000002","Bob",Str"ay'),
    ]
    assert con.sql("select payload->>'$.LastName' from raw.crm__contacts").fetchall() == [
        ("Smith",)
    ]
    assert (load.landed_rows, load.loaded_rows, load.quarantined_rows) == (3, 1, 2)
    assert load.reconciled


def _refusals(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    return con.sql(
        "select source_file, reason, raw_text from ingest.quarantine "
        "where line_number is null order by source_file"
    ).fetchall()


def test_a_file_linked_outside_the_landing_zone_is_refused_and_never_read(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Regression: a file linked to a path outside the landing zone landed in
    `ingest.quarantine.raw_text` with that file's contents."""
    landing = tmp_path / "landing"
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:secret\n")
    folder = write_batch(landing, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    (folder / "invoices.jsonl").symlink_to(secret)
    (folder / "customers.jsonl").symlink_to(folder / "charges.jsonl")  # inside: refused too
    loads = {load.file_name: load for load in load_new_batches(con, landing, "billing")[B1]}
    assert _refusals(con) == [
        (
            f"billing/{B1}/customers.jsonl",
            "a symbolic link resolving inside the landing root: links are refused, never read",
            None,
        ),
        (
            f"billing/{B1}/invoices.jsonl",
            "a symbolic link resolving outside the landing root: links are refused, never read",
            None,
        ),
    ]
    everything = con.sql("select * from ingest.quarantine").fetchall()
    assert "secret" not in repr(everything)
    assert con.sql("select count(*) from raw.billing__invoices").fetchall() == [(0,)]
    assert con.sql("select count(*) from raw.billing__customers").fetchall() == [(0,)]
    assert loads["charges.jsonl"].reconciled and loads["charges.jsonl"].loaded_rows == 1
    assert loads["invoices.jsonl"].problem is not None
    assert loads["invoices.jsonl"].problem.startswith("refused: a symbolic link")
    # a second run records nothing twice
    load_new_batches(con, landing, "billing")
    assert len(_refusals(con)) == 2


def test_a_batch_folder_or_manifest_linked_outside_is_refused_not_loaded(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Regression: a batch folder linked outside the landing zone loaded as a normal batch."""
    landing = tmp_path / "landing"
    outside = write_batch(tmp_path / "elsewhere", "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    (landing / "billing").mkdir(parents=True)
    (landing / "billing" / B1).symlink_to(outside)
    folder = write_batch(landing, "billing", B2, {"charges.jsonl": jsonl(CHARGE)})
    (folder / "_SUCCESS").rename(tmp_path / "manifest")
    (folder / "_SUCCESS").symlink_to(tmp_path / "manifest")
    write_batch(tmp_path / "elsewhere", "support", B1, {"tickets.jsonl": b""})
    (landing / "support").symlink_to(tmp_path / "elsewhere" / "support")
    assert load_new_batches(con, landing, "billing") == {}
    assert load_new_batches(con, landing, "support") == {}
    assert con.sql("select count(*) from raw.billing__charges").fetchall() == [(0,)]
    assert con.sql("select count(*) from ingest.batch_loads").fetchall() == [(0,)]
    refused = [(source, reason.split(":")[0]) for source, reason, _ in _refusals(con)]
    assert refused == [
        (f"billing/{B1}", "a symbolic link resolving outside the landing root"),
        (f"billing/{B2}/_SUCCESS", "a symbolic link resolving outside the landing root"),
        ("support", "a symbolic link resolving outside the landing root"),
    ]


def test_a_link_swapped_in_after_the_check_is_refused_by_the_open(tmp_path: Path) -> None:
    from customer_truth.landing import open_landed

    landing = tmp_path / "landing"
    folder = write_batch(landing, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    (tmp_path / "secret").write_text("secret")
    (folder / "charges.jsonl").unlink()
    (folder / "charges.jsonl").symlink_to(tmp_path / "secret")
    with pytest.raises(OSError):
        open_landed(landing, folder / "charges.jsonl")
    (landing / "billing" / B1).rename(tmp_path / "moved")
    (landing / "billing" / B1).symlink_to(tmp_path / "moved")
    with pytest.raises(OSError):
        open_landed(landing, landing / "billing" / B1 / "_SUCCESS")


def test_a_redelivered_batch_with_changed_content_is_a_reported_conflict(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Regression: the same batch id with changed rows and one more record was ignored silently:
    no warning, no count mismatch, both changes lost."""
    from customer_truth.ingest import ingest_landing

    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    load_new_batches(con, tmp_path, "billing")
    before = con.sql("select * from raw.billing__charges").fetchall()
    changed = jsonl({**CHARGE, "amount": 9999}, {**CHARGE, "id": "ch_2"})
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": changed})
    result = ingest_landing(con, tmp_path, "billing")
    assert result.loaded == {}
    (conflict,) = result.problems
    assert conflict.source_file == f"billing/{B1}"
    assert conflict.reason.startswith("batch id already loaded with different content")
    assert con.sql("select * from raw.billing__charges").fetchall() == before
    assert [(s, r.split(" (")[0]) for s, r, _ in _refusals(con)] == [
        (f"billing/{B1}", "batch id already loaded with different content")
    ]
    # seen again: still reported, recorded once
    assert ingest_landing(con, tmp_path, "billing").problems == [conflict]
    assert len(_refusals(con)) == 1


def test_a_redelivered_identical_batch_changes_nothing(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    from customer_truth.ingest import ingest_landing

    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    load_new_batches(con, tmp_path, "billing")
    before = _snapshot(con)
    # a retried transfer: the same bytes written again (new inode and times)
    shutil.rmtree(tmp_path / "billing" / B1)
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    assert ingest_landing(con, tmp_path, "billing").problems == []
    assert _snapshot(con) == before


def test_a_batch_loaded_before_digests_existed_takes_its_digest_once(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    from customer_truth.ingest import ingest_landing

    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    load_new_batches(con, tmp_path, "billing")
    con.execute("update ingest.batch_loads set content_sha256 = null, content_stat = null")
    assert ingest_landing(con, tmp_path, "billing").problems == []
    assert con.sql("select count(content_sha256) from ingest.batch_loads").fetchall() == [(1,)]


# The wall clock of the batch-time tests: a day after B3.
NOW = datetime(2026, 3, 4, tzinfo=UTC)
FUTURE = "20990101T000000Z"


def _batch_verdicts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    return con.sql(
        "select batch_id, quarantine_reason from ingest.batch_loads order by batch_id"
    ).fetchall()


def test_a_future_dated_batch_is_quarantined_whole_and_later_batches_still_load(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Regression (hostile timing, finding 1): a crm batch 20990101T000000Z with a valid
    _SUCCESS loaded, moved the data's as-of to 2099 and blocked every later release."""
    from customer_truth.ingest import ingest_landing

    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    write_batch(tmp_path, "billing", FUTURE, {"charges.jsonl": jsonl({**CHARGE, "id": "ch_f"})})
    first = ingest_landing(con, tmp_path, "billing", now=NOW)
    assert list(first.loaded) == [B1]
    (quarantined,) = first.quarantined
    assert quarantined.source_file == f"billing/{FUTURE}"
    assert quarantined.reason.startswith("extraction time in the future: batch id")
    assert "beyond the 1 h 0 min tolerance" in quarantined.reason
    assert con.sql("select distinct batch_id from raw.billing__charges").fetchall() == [(B1,)]
    assert con.sql("select max(extracted_at) from raw.billing__charges").fetchall()[0][0].year == (
        2026
    )
    assert [(s, r.split(":")[0]) for s, r, _ in _refusals(con)] == [
        (f"billing/{FUTURE}", "extraction time in the future")
    ]
    # a later normal batch loads; the quarantined one is reported again, recorded once
    write_batch(
        tmp_path,
        "billing",
        B2,
        {"charges.jsonl": jsonl({**CHARGE, "id": "ch_2"})},
        mode="incremental",
    )
    second = ingest_landing(con, tmp_path, "billing", now=NOW)
    assert list(second.loaded) == [B2]
    assert second.quarantined == [quarantined]
    assert [b for b, _ in _batch_verdicts(con)] == [B1, B2, FUTURE]
    assert len(_refusals(con)) == 1
    # the verdict is final: the wall clock reaching the batch does not admit it later
    assert (
        ingest_landing(con, tmp_path, "billing", now=datetime(2100, 1, 1, tzinfo=UTC)).loaded == {}
    )


def test_a_success_extracted_at_in_the_future_quarantines_the_batch(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    from customer_truth.ingest import ingest_landing

    folder = write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    manifest = json.loads((folder / "_SUCCESS").read_text())
    (folder / "_SUCCESS").write_text(
        json.dumps({**manifest, "extracted_at": "2099-01-01T00:00:00Z"})
    )
    (quarantined,) = ingest_landing(con, tmp_path, "billing", now=NOW).quarantined
    assert "_SUCCESS extracted_at 2099-01-01T00:00:00Z" in quarantined.reason
    assert con.sql("select count(*) from raw.billing__charges").fetchall() == [(0,)]


def test_a_batch_id_and_extracted_at_that_disagree_quarantine_the_batch(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    from customer_truth.ingest import ingest_landing

    folder = write_batch(tmp_path, "billing", B2, {"charges.jsonl": jsonl(CHARGE)})
    manifest = json.loads((folder / "_SUCCESS").read_text())
    (folder / "_SUCCESS").write_text(
        json.dumps({**manifest, "extracted_at": "2026-03-01T00:00:00Z"})
    )
    # within the tolerance: loads
    write_batch(tmp_path, "billing", "20260302T003000Z", {"charges.jsonl": jsonl(CHARGE)})
    late = tmp_path / "billing" / "20260302T003000Z" / "_SUCCESS"
    late.write_text(late.read_text().replace("00:30:00Z", "00:50:00Z"))
    result = ingest_landing(con, tmp_path, "billing", now=NOW)
    (quarantined,) = result.quarantined
    assert quarantined.batch_id == B2
    assert "disagree by 24 h 0 min, beyond the 1 h 0 min tolerance" in quarantined.reason
    assert list(result.loaded) == ["20260302T003000Z"]


def test_a_batch_far_behind_the_systems_loaded_batches_is_quarantined_a_late_one_loads(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Batch ids sort in delivery order, but a retried transfer can land after later batches:
    within the tolerance (7 days by default) it loads; a replay older than that does not."""
    from customer_truth.ingest import ingest_landing

    write_batch(tmp_path, "billing", "20260320T000000Z", {"charges.jsonl": jsonl(CHARGE)})
    ingest_landing(con, tmp_path, "billing", now=datetime(2026, 3, 21, tzinfo=UTC))
    retried, stale = "20260315T000000Z", "20260301T000000Z"
    for batch_id in (retried, stale):
        write_batch(tmp_path, "billing", batch_id, {"charges.jsonl": jsonl(CHARGE)})
    result = ingest_landing(con, tmp_path, "billing", now=datetime(2026, 3, 21, tzinfo=UTC))
    assert list(result.loaded) == [retried]
    (quarantined,) = result.quarantined
    assert quarantined.batch_id == stale
    assert quarantined.reason.startswith(
        "extraction time far behind: batch id 20260301T000000Z is 19 days older than the "
        "latest loaded billing batch 20260320T000000Z, beyond the 7 days tolerance"
    )


def test_a_quarantined_future_batch_never_becomes_the_reference_of_far_behind(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    from customer_truth.ingest import ingest_landing

    write_batch(tmp_path, "billing", FUTURE, {"charges.jsonl": jsonl(CHARGE)})
    ingest_landing(con, tmp_path, "billing", now=NOW)
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    assert list(ingest_landing(con, tmp_path, "billing", now=NOW).loaded) == [B1]


def test_a_batch_id_that_names_no_real_time_is_quarantined(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    from customer_truth.ingest import ingest_landing

    write_batch(tmp_path, "billing", "20261399T000000Z", {"charges.jsonl": jsonl(CHARGE)})
    (quarantined,) = ingest_landing(con, tmp_path, "billing", now=NOW).quarantined
    assert quarantined.reason.startswith("batch id 20261399T000000Z is not a real UTC time")


def test_the_batch_time_tolerances_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from customer_truth.settings import BatchClock, load_settings

    assert load_settings().batch_clock == BatchClock()
    monkeypatch.setenv("CUSTOMER_TRUTH_FUTURE_TOLERANCE_MINUTES", "5")
    monkeypatch.setenv("CUSTOMER_TRUTH_LATE_TOLERANCE_DAYS", "30")
    monkeypatch.setenv("CUSTOMER_TRUTH_MANIFEST_SKEW_MINUTES", "0")
    assert load_settings().batch_clock == BatchClock(
        timedelta(minutes=5), timedelta(days=30), timedelta(0)
    )
    monkeypatch.setenv("CUSTOMER_TRUTH_LATE_TOLERANCE_DAYS", "-1")
    with pytest.raises(ValueError, match="CUSTOMER_TRUTH_LATE_TOLERANCE_DAYS"):
        load_settings()


def test_a_later_delivery_of_an_erased_persons_record_is_suppressed_at_ingestion(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    from customer_truth.ingest import ERASED_RECORD_REASON, ingest_landing

    write_batch(tmp_path, "billing", B1, {"charges.jsonl": jsonl(CHARGE)})
    load_new_batches(con, tmp_path, "billing")
    # the warehouse sweep erased the charge: only the hash of its record uid is kept
    con.execute("delete from raw.billing__charges")
    con.execute(
        "insert into privacy.erased_source_records "
        "values (sha256('billing:charges:ch_1'), 'er_1', now())"
    )
    other = {**CHARGE, "id": "ch_2"}
    write_batch(tmp_path, "billing", B2, {"charges.jsonl": jsonl(CHARGE, other)})
    loads = ingest_landing(con, tmp_path, "billing").loaded[B2]
    assert con.sql("select record_key from raw.billing__charges").fetchall() == [("ch_2",)]
    # not lost silently: quarantined with its reason, and without the text that names the person
    assert con.sql(
        "select line_number, reason, raw_text from ingest.quarantine where batch_id = ?",
        params=[B2],
    ).fetchall() == [(1, ERASED_RECORD_REASON, None)]
    assert [(f.loaded_rows, f.quarantined_rows, f.reconciled) for f in loads] == [(1, 1, True)]


def test_a_batch_loads_whole_or_not_at_all_a_block_at_a_time(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file is checked a block at a time on a scratch connection of its own, and only the
    block's outcome enters the batch's transaction: the transaction holds no scratch table
    (which it would keep until its commit, a multi-GB file's worth), yet a failure in a later
    block still leaves nothing of the batch."""
    from customer_truth import ingest

    lines = [json.dumps({**CHARGE, "id": f"ch_{i}"}).encode() for i in range(30)]
    lines[17] = b'{"id": "ch_17", "amount": 12'  # truncated
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": b"\n".join(lines) + b"\n"})
    monkeypatch.setattr(
        ingest, "jsonl_blocks", lambda path, opener: parsing.jsonl_blocks(path, 600, opener)
    )
    appended: list[int] = []
    real_append = ingest._append_block

    def append_then_fail(con: duckdb.DuckDBPyConnection, *args: Any) -> None:
        temporary = con.sql("select count(*) from duckdb_tables() where temporary").fetchall()
        assert temporary == [(0,)], "a scratch table inside the batch's transaction"
        appended.append(1)
        if len(appended) == 3:
            raise RuntimeError("the disk filled up")
        real_append(con, *args)

    monkeypatch.setattr(ingest, "_append_block", append_then_fail)
    with pytest.raises(RuntimeError, match="disk filled up"):
        load_new_batches(con, tmp_path, "billing")
    assert _snapshot(con) == [[], [], [], []]

    monkeypatch.setattr(ingest, "_append_block", real_append)
    load_new_batches(con, tmp_path, "billing")
    assert con.sql("select count(*) from raw.billing__charges").fetchall() == [(29,)]
    assert [line for line, _ in _quarantine(con)] == [18]


def test_a_batch_keeps_no_blocks_rows_in_memory_until_it_commits(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction keeps every Python object its statements scanned until it commits: a
    block's rows handed to the batch's transaction as a registered Arrow table stayed in memory
    to the batch's end (a 1M-person world's 6.6 GB digital delivery: its size again in RSS,
    outside DuckDB's budget). Each block's rows are released once appended."""
    import gc
    import weakref

    from customer_truth import ingest

    lines = [json.dumps({**CHARGE, "id": f"ch_{i}"}).encode() for i in range(30)]
    lines[17] = b'{"id": "ch_17", "amount": 12'  # truncated: a quarantined line too
    write_batch(tmp_path, "billing", B1, {"charges.jsonl": b"\n".join(lines) + b"\n"})
    monkeypatch.setattr(
        ingest, "jsonl_blocks", lambda path, opener: parsing.jsonl_blocks(path, 600, opener)
    )
    handed_over: list[weakref.ref[Any]] = []

    class Watched:
        """The batch's connection, noting every Arrow table handed to it."""

        def __getattr__(self, name: str) -> Any:
            return getattr(con, name)

        def from_arrow(self, table: Any) -> Any:
            handed_over.append(weakref.ref(table))
            return con.from_arrow(table)

        def register(self, name: str, table: Any) -> Any:
            handed_over.append(weakref.ref(table))
            return con.register(name, table)

    held: list[int] = []
    real_append = ingest._append_block

    def append_and_look(batch_con: Any, *args: Any) -> None:
        real_append(batch_con, *args)
        gc.collect()
        held.append(sum(ref() is not None for ref in handed_over))

    monkeypatch.setattr(ingest, "_append_block", append_and_look)
    load_new_batches(Watched(), tmp_path, "billing")  # type: ignore[arg-type]
    assert handed_over and len(held) > 3
    assert held == [0] * len(held)
    assert con.sql("select count(*) from raw.billing__charges").fetchall() == [(29,)]
    assert [line for line, _ in _quarantine(con)] == [18]
