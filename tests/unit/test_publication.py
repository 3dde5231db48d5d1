"""Publication on stand-in candidate tables: releases, blocks, time travel, readers that never see
a mix, a publisher killed mid-release, and erasure from the whole published history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from customer_truth.publication import reader
from customer_truth.publication.analytics import analytics_path
from customer_truth.publication.erasure import ErasedSet
from customer_truth.publication.log import read_entries
from customer_truth.publication.publisher import publish_release
from customer_truth.publication.recovery import roll_back_unreleased
from customer_truth.publication.registry import PUBLISHED_TABLES, PublishedTable
from customer_truth.publication.store import table_path
from customer_truth.settings import REPO_ROOT, Settings
from tests.publication_helpers import (
    PASSED,
    STAND_IN_TABLES,
    candidates_of,
    person,
    stand_in_candidates,
    strings_in_published,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(landing=tmp_path / "landing", home=tmp_path / "home")


def _publish(settings: Settings, pid: str, people: range, erased: ErasedSet | None = None):
    return publish_release(
        settings,
        pid,
        datetime.now(UTC),
        PASSED,
        tables=STAND_IN_TABLES,
        candidates=stand_in_candidates(people, erased),
    )


def test_a_release_publishes_every_table_and_the_log_names_versions_and_counts(
    settings: Settings,
) -> None:
    entry = _publish(settings, "pub-1", range(10))
    assert entry.status == "published"
    assert entry.row_counts == {
        "customer_profile": 10,
        "identifier_lookup": 20,
        "customer_timeline": 10,
        "marts/fct_issue_journeys": 10,
    }
    release = reader.current_release(settings)
    assert release is not None and release.publication_id == "pub-1"
    for key in entry.row_counts:
        data = reader.read_table(settings, key)
        assert data.num_rows == entry.row_counts[key]
        assert set(data.column("publication_id").to_pylist()) == {"pub-1"}
    assert (settings.published / "marts" / "fct_issue_journeys" / "_delta_log").is_dir()
    with duckdb.connect(str(settings.published / "analytics.duckdb"), read_only=True) as con:
        assert con.sql("select count(*) from customer_profile").fetchall() == [(10,)]
        assert con.sql("select count(*) from marts.fct_issue_journeys").fetchall() == [(10,)]
        assert con.sql("select publication_id from release_info").fetchall() == [("pub-1",)]


def test_published_files_are_compressed_with_zstd(settings: Settings) -> None:
    """zstd instead of the Delta writer's snappy: 40-55% smaller files, written as fast."""
    _publish(settings, "pub-1", range(10))
    for table in STAND_IN_TABLES:
        files = DeltaTable(str(settings.published.joinpath(*table.path_parts))).file_uris()
        assert files
        for uri in files:
            metadata = pq.ParquetFile(uri).metadata
            codecs = {
                metadata.row_group(g).column(c).compression
                for g in range(metadata.num_row_groups)
                for c in range(metadata.num_columns)
            }
            assert codecs == {"ZSTD"}, (table.key, codecs)


def test_the_analytics_file_stores_the_contexts_documents_with_zstd(settings: Settings) -> None:
    """DuckDB's default text compression (a dictionary, then FSST) took 3x longer and 6x the
    space for a 100k world's context documents than zstd; the other columns keep the default."""
    context_table = next(t for t in PUBLISHED_TABLES if t.key == "customer_context")
    documents = [json.dumps({"customer": n, "notes": [f"note {n}-{i}" for i in range(80)]})
                 for n in range(300)]  # fmt: skip
    context = pa.table(
        {
            "customer_id": [f"c{n}" for n in range(300)],
            "context": documents,
            "context_text": [f"Customer c{n}. " + "Brief. " * 100 for n in range(300)],
        }
    )
    publish_release(
        settings,
        "pub-1",
        datetime.now(UTC),
        PASSED,
        tables=(context_table,),
        candidates=candidates_of({"customer_context": context}),
    )
    with duckdb.connect(str(analytics_path(settings)), read_only=True) as con:
        stored = dict(
            con.sql(
                "select column_name, list(distinct compression order by compression) "
                "from pragma_storage_info('customer_context') where segment_type = 'VARCHAR' "
                "group by all"
            ).fetchall()
        )
        assert sorted(con.sql("select context from customer_context").fetchall()) == sorted(
            (d,) for d in documents
        )
    assert "ZSTD" in stored["context"] and "ZSTD" in stored["context_text"]
    assert "ZSTD" not in stored["customer_id"]


def test_the_registrys_document_columns_are_the_ones_the_warehouse_keeps_with_zstd() -> None:
    """Which columns are documents is said twice, for two databases: the registry (for
    analytics.duckdb, built from the Delta files) and the publish models' contracts (for the
    warehouse). They must name the same columns."""
    import yaml

    models = yaml.safe_load(
        (REPO_ROOT / "dbt_project/models/publish/_publish__models.yml").read_text()
    )["models"]
    in_contracts = {
        (f"publish.{model['name']}", column["name"])
        for model in models
        for column in model.get("columns", [])
        for constraint in column.get("constraints", [])
        if "using compression zstd" in constraint.get("expression", "")
    }
    in_registry = {(t.relation, c) for t in PUBLISHED_TABLES for c in t.document_columns}
    assert in_registry and in_registry == in_contracts


def test_a_failed_gate_publishes_nothing_and_logs_the_failed_expectations(
    settings: Settings,
) -> None:
    _publish(settings, "pub-1", range(10))
    release = reader.current_release(settings)
    assert release is not None
    versions_before = {
        key: DeltaTable(str(settings.published.joinpath(*key.split("/")))).version()
        for key in release.table_versions
    }
    failed = [
        {
            "suite": "dim_customer_profile",
            "asset": "marts/dim_customer_profile",
            "success": False,
            "failed_expectations": [
                {
                    "expectation": "expect_column_values_to_not_be_null",
                    "kwargs": {"column": "email"},
                }
            ],
        }
    ]
    entry = publish_release(
        settings,
        "pub-2",
        datetime.now(UTC),
        failed,
        tables=STAND_IN_TABLES,
        candidates=stand_in_candidates(range(3)),
    )
    assert entry.status == "blocked" and entry.published_at is None
    current = reader.current_release(settings)
    assert current is not None
    assert current.publication_id == "pub-1"
    assert reader.read_table(settings, "customer_profile").num_rows == 10
    for key, version in versions_before.items():
        assert DeltaTable(str(settings.published.joinpath(*key.split("/")))).version() == version
    logged = {e.publication_id: e for e in read_entries(settings.published)}
    assert logged["pub-2"].status == "blocked"
    assert logged["pub-2"].failed_expectations[0]["suite"] == "dim_customer_profile"
    assert logged["pub-2"].failed_expectations[0]["kwargs"] == {"column": "email"}


def test_a_read_filtered_by_customer_returns_only_that_customers_rows(
    settings: Settings,
) -> None:
    _publish(settings, "pub-1", range(6))
    wanted = person(2)["customer_id"]
    rows = reader.read_table(settings, "identifier_lookup", where=[("customer_id", "=", wanted)])
    assert rows.num_rows > 0
    assert set(rows.column("customer_id").to_pylist()) == {wanted}


def test_any_past_release_reads_as_of_a_time(settings: Settings) -> None:
    _publish(settings, "pub-1", range(5))
    between = datetime.now(UTC)
    time.sleep(0.01)
    _publish(settings, "pub-2", range(8))
    assert reader.release_as_of(settings, between - timedelta(days=1)) is None
    assert reader.read_table(settings, "customer_profile", as_of=between).num_rows == 5
    assert reader.read_table(settings, "customer_profile").num_rows == 8


def test_a_concurrent_reader_never_sees_two_releases_mixed(settings: Settings) -> None:
    _publish(settings, "pub-0", range(20))
    seen: list[set[str]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            try:
                release, tables = reader.read_release(settings)
                ids = set()
                for data in tables.values():
                    ids |= set(data.column("publication_id").to_pylist())
                seen.append(ids | {f"release:{release.publication_id}"})
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

    thread = threading.Thread(target=poll)
    thread.start()
    try:
        for n in range(1, 6):
            _publish(settings, f"pub-{n}", range(20 + n))
    finally:
        done.set()
        thread.join()
    assert not errors, errors[:1]
    assert len(seen) > 5
    for ids in seen:
        # every row of every table read came from the release the reader pinned
        release = next(i for i in ids if i.startswith("release:")).removeprefix("release:")
        assert ids == {release, f"release:{release}"}
    assert len({next(iter(i - {x for x in i if x.startswith("release:")})) for i in seen}) > 1


_KILLED_PUBLISHER = """
import os, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from customer_truth.publication.analytics import analytics_path
from customer_truth.publication.publisher import publish_release
from customer_truth.publication.recovery import roll_back_unreleased
from customer_truth.publication.registry import PUBLISHED_TABLES, PublishedTable
from customer_truth.publication.store import table_path
from customer_truth.settings import Settings
from tests.publication_helpers import PASSED, STAND_IN_TABLES, stand_in_candidates

written = []
def after(table):
    written.append(table)
    if len(written) == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)

settings = Settings(landing=Path(sys.argv[1]), home=Path(sys.argv[1]))
publish_release(settings, "pub-killed", datetime.now(UTC), PASSED, tables=STAND_IN_TABLES,
                candidates=stand_in_candidates(range(50)), after_table_written=after)
"""


def _kill_a_publisher_after(settings: Settings, tables_written: int) -> None:
    """A publication of "pub-killed", killed (SIGKILL) once it wrote that many tables."""
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_PUBLISHER, str(settings.home), str(tables_written)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -9, killed.stderr[-2000:]


def test_a_publisher_killed_mid_release_leaves_the_previous_release_and_the_next_run_recovers(
    settings: Settings,
) -> None:
    _publish(settings, "pub-1", range(10))
    _kill_a_publisher_after(settings, tables_written=2)
    # two tables hold a version of the killed attempt, no release names it
    assert DeltaTable(str(settings.published / "customer_profile")).version() == 1
    release = reader.current_release(settings)
    assert release is not None
    assert release.publication_id == "pub-1"
    _, tables = reader.read_release(settings)
    assert {k: t.num_rows for k, t in tables.items()}["customer_profile"] == 10
    assert all(set(t.column("publication_id").to_pylist()) == {"pub-1"} for t in tables.values())
    assert "pub-killed" not in {e.publication_id for e in read_entries(settings.published)}

    entry = _publish(settings, "pub-2", range(12))
    assert entry.status == "published"
    current = reader.current_release(settings)
    assert current is not None
    assert current.publication_id == "pub-2"
    assert reader.read_table(settings, "customer_profile").num_rows == 12
    assert reader.read_table(settings, "customer_profile", release=release).num_rows == 10


def test_a_direct_delta_reader_never_keeps_reading_a_killed_publications_versions(
    settings: Settings,
) -> None:
    _publish(settings, "pub-1", range(10))
    _kill_a_publisher_after(settings, tables_written=2)

    def latest(table: PublishedTable) -> pa.Table:
        return DeltaTable(str(table_path(settings.published, table))).to_pyarrow_table()

    # the finding: a reader of the latest Delta version gets rows no release holds
    unreleased = [
        t.key for t in STAND_IN_TABLES if "pub-killed" in latest(t)["publication_id"].to_pylist()
    ]
    assert len(unreleased) == 2
    analytics_path(settings).unlink()

    assert sorted(roll_back_unreleased(settings, STAND_IN_TABLES)) == sorted(unreleased)
    for table in STAND_IN_TABLES:
        assert set(latest(table)["publication_id"].to_pylist()) == {"pub-1"}, table.key
    with duckdb.connect(str(analytics_path(settings)), read_only=True) as con:
        assert con.sql("select publication_id from release_info").fetchall() == [("pub-1",)]
    versions = {
        t.key: DeltaTable(str(table_path(settings.published, t))).version() for t in STAND_IN_TABLES
    }
    assert roll_back_unreleased(settings, STAND_IN_TABLES) == []  # once is enough
    assert versions == {
        t.key: DeltaTable(str(table_path(settings.published, t))).version() for t in STAND_IN_TABLES
    }

    _publish(settings, "pub-2", range(12))
    for table in STAND_IN_TABLES:
        assert set(latest(table)["publication_id"].to_pylist()) == {"pub-2"}


def test_after_an_erasure_no_version_file_or_log_entry_holds_the_persons_identifiers(
    settings: Settings,
) -> None:
    for n in range(3):
        _publish(settings, f"pub-{n}", range(10 + n))
    gone = person(4)
    erased = ErasedSet(
        pa.table(
            {
                "customer_id": [gone["customer_id"]],
                "identifier_sha256": pa.array([None], pa.string()),
            }
        )
    )
    entry = _publish(settings, "pub-erase", range(15), erased)
    assert entry.erasures_purged == 1

    raw, values = strings_in_published(settings.published)
    for identifier in gone.values():
        assert identifier.encode() not in raw, identifier
        assert not any(identifier in value for value in values), identifier
    # every version of every table is still readable, every release still resolves
    for release in reader.releases(settings):
        _, tables = reader.read_release(settings, release)
        for data in tables.values():
            assert gone["customer_id"] not in data.column("customer_id").to_pylist()
    profile = settings.published / "customer_profile"
    for version in range(DeltaTable(str(profile)).version() + 1):
        data = DeltaTable(str(profile), version=version).to_pyarrow_table()
        assert gone["email"] not in data.column("email").to_pylist()
    # the person's neighbours are all still there, in every release
    first = reader.read_table(settings, "customer_profile", release=reader.releases(settings)[0])
    assert first.num_rows == 9
    logged = json.dumps([e.__dict__ for e in read_entries(settings.published)], default=str)
    assert gone["customer_id"] not in logged and gone["email"] not in logged


def test_an_erasure_by_identifier_hash_removes_rows_that_carry_the_identifier(
    settings: Settings,
) -> None:
    import hashlib

    _publish(settings, "pub-1", range(6))
    gone = person(2)
    erased = ErasedSet(
        pa.table(
            {
                "customer_id": pa.array([None], pa.string()),
                "identifier_sha256": [hashlib.sha256(gone["phone"].encode()).hexdigest()],
            }
        )
    )
    _publish(settings, "pub-2", range(6), erased)
    raw, values = strings_in_published(settings.published)
    assert gone["phone"].encode() not in raw
    assert not any(gone["phone"] in v for v in values)
    # rows that only carry the customer id and not the hashed identifier are untouched
    assert reader.read_table(settings, "customer_profile").num_rows == 5


def test_candidates_stream_from_the_warehouse_in_batches_and_erasure_applies_to_each(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No candidate table is read whole: the publisher pulls batches from the warehouse while it
    writes, and filters every batch for erased persons."""
    from customer_truth.publication import publisher

    monkeypatch.setattr(publisher, "STREAM_BATCH_ROWS", 64)
    con = duckdb.connect()
    con.execute("create schema publish")
    con.execute(
        "create table publish.customer_profile as select 'ct_' || lpad(i::varchar, 6, '0') as "
        "customer_id, 'person' || i || '@example.org' as email from range(1000) t(i)"
    )
    erased = ErasedSet(
        pa.table({"customer_id": ["ct_000007", "ct_000900"], "identifier_sha256": [None, None]})
    )
    profile = [t for t in STAND_IN_TABLES if t.name == "customer_profile"]
    streamed = publisher.stream_candidates(con, tuple(profile))
    source = streamed.tables["customer_profile"]
    assert callable(source)  # a stream opened when its turn comes, not a table in memory
    batches = list(source())
    assert len(batches) > 10 and max(b.num_rows for b in batches) <= 64

    candidates = publisher.Candidates(
        streamed.tables, streamed.sources, [], erased, streamed.landing_batches
    )
    entry = publish_release(
        settings, "pub-s", datetime.now(UTC), PASSED, tables=tuple(profile), candidates=candidates
    )
    assert entry.row_counts == {"customer_profile": 998}
    published = reader.read_table(settings, "customer_profile")
    ids = set(published.column("customer_id").to_pylist())
    assert len(ids) == 998 and not {"ct_000007", "ct_000900"} & ids
    assert set(published.column("publication_id").to_pylist()) == {"pub-s"}


def test_the_warehouse_lends_its_budget_while_its_candidates_stream_out(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warehouse only scans the candidates out while they are written: kept at its budget,
    its cache held every table it had read (a 1M-person release: 7 GiB beside the writes)."""
    from customer_truth.publication import publisher
    from customer_truth.warehouse import open_warehouse

    monkeypatch.setenv("CUSTOMER_TRUTH_MEMORY_LIMIT", "1GB")
    settings = Settings(landing=settings.landing, home=settings.home, memory_limit="1GB")
    with open_warehouse(settings) as con:
        con.execute("create schema publish")
        con.execute(
            "create table publish.customer_profile as select 'ct_' || i as customer_id, "
            "'person' || i || '@example.org' as email from range(100) t(i)"
        )
    limits: list[str] = []
    write_table = publisher._write_table

    def writing(root: Path, table: Any, source: Any, *args: Any) -> tuple[int, int]:
        warehouse = source.args[0]  # the stream's connection: the warehouse
        limits.append(warehouse.execute("select current_setting('memory_limit')").fetchall()[0][0])
        return write_table(root, table, source, *args)

    monkeypatch.setattr(publisher, "_write_table", writing)
    profile = tuple(t for t in STAND_IN_TABLES if t.name == "customer_profile")
    entry = publish_release(settings, "pub-l", datetime.now(UTC), PASSED, tables=profile)
    assert entry.row_counts == {"customer_profile": 100}
    assert limits == ["122.0 MiB"]  # LENT_MEMORY_KEEP


def test_releases_beyond_retention_expire_their_files_go_and_reading_one_says_so(
    tmp_path: Path,
) -> None:
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home", keep_releases=2)
    published_by = []
    for n in range(4):
        _publish(settings, f"pub-{n}", range(5 + n))
        published_by.append(datetime.now(UTC))
        time.sleep(0.01)
    assert [r.publication_id for r in reader.releases(settings)] == ["pub-2", "pub-3"]
    statuses = {e.publication_id: e.status for e in read_entries(settings.published)}
    assert statuses == {
        "pub-0": "expired",
        "pub-1": "expired",
        "pub-2": "published",
        "pub-3": "published",
    }
    with pytest.raises(reader.ReleaseExpiredError, match="pub-1"):
        reader.read_table(settings, "customer_profile", as_of=published_by[1])
    assert reader.read_table(settings, "customer_profile", as_of=published_by[2]).num_rows == 7
    # only the files of the kept releases' versions remain, for every table
    for table in STAND_IN_TABLES:
        link = settings.published.joinpath(*table.path_parts)
        held = {
            Path(uri).name
            for release in reader.releases(settings)
            for uri in DeltaTable(str(link), version=release.table_versions[table.key]).file_uris()
        }
        assert {p.name for p in link.resolve().glob("*.parquet")} == held, table.key

    # an erasure rewrites the readable releases only; nothing of the person remains anywhere
    gone = person(5)  # in pub-1 (expired), pub-2 and pub-3
    erased = ErasedSet(
        pa.table(
            {
                "customer_id": [gone["customer_id"]],
                "identifier_sha256": pa.array([None], pa.string()),
            }
        )
    )
    _publish(settings, "pub-erase", range(9), erased)
    assert [r.publication_id for r in reader.releases(settings)] == ["pub-3", "pub-erase"]
    raw, values = strings_in_published(settings.published)
    for identifier in gone.values():
        assert identifier.encode() not in raw, identifier
        assert not any(identifier in value for value in values), identifier
    assert reader.read_table(settings, "customer_profile").num_rows == 8


def test_the_number_of_releases_kept_is_a_setting_that_refuses_nonsense(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from customer_truth.settings import DEFAULT_KEEP_RELEASES, load_settings

    monkeypatch.delenv("CUSTOMER_TRUTH_KEEP_RELEASES", raising=False)
    assert load_settings().keep_releases == DEFAULT_KEEP_RELEASES
    monkeypatch.setenv("CUSTOMER_TRUTH_KEEP_RELEASES", "3")
    assert load_settings().keep_releases == 3
    for wrong in ("0", "-2", "two"):
        monkeypatch.setenv("CUSTOMER_TRUTH_KEEP_RELEASES", wrong)
        with pytest.raises(ValueError, match="CUSTOMER_TRUTH_KEEP_RELEASES"):
            load_settings()


def test_a_blocked_gate_still_purges_a_new_erasure_from_the_current_release(
    settings: Settings,
) -> None:
    """Regression (hostile timing, finding 1): an erasure that arrived with a delivery the gate
    blocked was never published; the erased person was still served from the old release."""
    from customer_truth.publication.publisher import record_blocked

    _publish(settings, "pub-1", range(10))
    gone = person(4)
    erased = ErasedSet(
        pa.table(
            {
                "customer_id": [gone["customer_id"]],
                "identifier_sha256": pa.array([None], pa.string()),
            }
        )
    )
    failed = [{"suite": "stg_crm__contacts", "success": False, "failed_expectations": []}]
    entry = record_blocked(
        settings, "pub-2", datetime.now(UTC), failed, ["crm/x"], erased, tables=STAND_IN_TABLES
    )
    assert entry.status == "blocked" and entry.erasures_purged == 1
    # the release did not change, the person is gone from it, from its history and its file
    current = reader.current_release(settings)
    assert current is not None
    assert current.publication_id == "pub-1"
    profiles = reader.read_table(settings, "customer_profile")
    assert profiles.num_rows == 9 and gone["customer_id"] not in profiles["customer_id"].to_pylist()
    raw, values = strings_in_published(settings.published)
    assert gone["email"].encode() not in raw
    assert not any(gone["email"] in value for value in values)
    with duckdb.connect(str(analytics_path(settings)), read_only=True) as con:
        assert con.sql("select publication_id from release_info").fetchall() == [("pub-1",)]
        assert con.sql("select count(*) from customer_profile").fetchall() == [(9,)]
    # a later suite of the same run rewrites the block without losing the purge, and the next
    # release does not purge the same persons again
    again = record_blocked(settings, "pub-2", datetime.now(UTC), failed, ["crm/x"])
    assert (again.erasures_purged, again.erased_total) == (1, 1)
    assert _publish(settings, "pub-3", range(10), erased).erasures_purged == 0
    assert (
        gone["customer_id"]
        not in reader.read_table(settings, "customer_profile")["customer_id"].to_pylist()
    )
