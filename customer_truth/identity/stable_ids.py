"""Stable customer ids: the same person keeps the same ``customer_id`` across runs and batches.

Identity resolution (``identity.record_clusters``) groups source records into clusters whose
``cluster_key`` means something only within one run. This step turns those clusters into
customer ids that last, by comparing each run's clusters with the previous assignment
(``identity.customer_ids``) in one contingency table, old id x new cluster, counted in records.

Rules, applied in this order (all set-based in DuckDB):

1. **Which cluster keeps an old id.** An old id stays with the cluster holding the most of its
   records; ties go to the part holding the record that received the id earliest, then the part
   with the smallest ``record_uid``. A cluster whose records were all under one id therefore
   keeps it, and when an id's records split across clusters the larger part keeps it.
2. **Which id a cluster keeps (merges).** When several old ids choose the same cluster, the
   survivor is the id held by the most of that cluster's records; ties go to the oldest id (the
   earliest ``created_at`` in the registry), then the smallest id. The others are ``merged`` into
   it and never return.
3. **New ids.** A cluster that keeps no old id (only new records, or only the smaller parts of
   split ids) gets a new id: ``ct_`` + the first 16 hex digits of sha256 of its founding record
   (its smallest ``record_uid``), plus ``_2``, ``_3``... when that id was ever issued before.
   Why a hash and not a sequence: the same records found the same id however runs are ordered or
   parallelised, a state rebuilt from scratch on the same data reproduces the same ids, and no
   counter is shared. Why ``ct_`` and not ``cus_``: Stripe's customer ids are ``cus_...`` and sit
   next to ours in ``identifier_lookup``. The registry ``identity.customers`` keeps every id
   ever issued, so an id is never reused: a merged or retired id stays taken.
4. **Retired ids.** An id none of whose records appears in this run (erased, or every record
   gone) is ``retired``.
5. **Guard.** An empty ``identity.record_clusters`` while ids exist is refused: it is far more
   likely a failed upstream step than a world where every customer disappeared.

Every change is an event in ``identity.customer_id_history`` with its reason and the records
that moved: ``created`` (``from_customer_id`` names the id it split from, if any), ``merged``
(``into_customer_id`` is the survivor), ``split`` (records of ``customer_id`` that now belong to
``into_customer_id``), ``retired``. A downstream system that cached an id follows ``merged``
events (or the registry's ``superseded_by``) to the current one. Re-running on unchanged
clusters changes nothing and records no event.

The caller opens the connection (``customer_truth.warehouse.connect``) under the warehouse lock;
this step runs in one transaction, so a failure leaves the previous state untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

ID_PREFIX = "ct_"
ID_HASH_DIGITS = 16

_STATE_DDL = (
    "create schema if not exists identity",
    """
    create table if not exists identity.customers (
        customer_id varchar not null,
        founding_record_uid varchar not null,
        status varchar not null,
        superseded_by varchar,
        created_at timestamptz not null,
        updated_at timestamptz not null
    )
    """,
    """
    create table if not exists identity.customer_ids (
        record_uid varchar not null,
        customer_id varchar not null,
        first_assigned_at timestamptz not null,
        first_seen_at timestamptz not null,
        last_seen_at timestamptz not null
    )
    """,
    """
    create table if not exists identity.customer_id_history (
        event_id bigint not null,
        event_type varchar not null,
        customer_id varchar not null,
        from_customer_id varchar,
        into_customer_id varchar,
        reason varchar not null,
        record_count bigint not null,
        record_uids varchar[],
        occurred_at timestamptz not null
    )
    """,
    """
    create table if not exists identity.record_customer_ids (
        record_uid varchar not null,
        customer_id varchar not null,
        match_rule varchar,
        match_score double,
        linked_at timestamptz not null
    )
    """,
    """
    create table if not exists identity.customer_id_runs (
        run_at timestamptz not null,
        records bigint not null,
        customers bigint not null,
        kept bigint not null,
        created bigint not null,
        merged bigint not null,
        split bigint not null,
        retired bigint not null
    )
    """,
)

# The run's clusters, checked. cluster_key is cast to text: R's step may write integers.
_CLUSTERS_SQL = """
create or replace temp table _clusters as
select
    cast(record_uid as varchar) as record_uid,
    cast(cluster_key as varchar) as cluster_key,
    cast(match_rule as varchar) as match_rule,
    cast(match_score as double) as match_score,
from identity.record_clusters
"""

_PREVIOUS_SQL = """
create or replace temp table _previous as
select
    assigned.record_uid,
    assigned.customer_id,
    assigned.first_assigned_at,
    assigned.first_seen_at,
    registry.created_at as id_created_at,
from identity.customer_ids as assigned
inner join identity.customers as registry using (customer_id)
"""

# The contingency table: how many records of each old id fall in each new cluster.
_PARTS_SQL = """
create or replace temp table _parts as
select
    clusters.cluster_key,
    previous.customer_id as old_id,
    count(*) as n_records,
    min(previous.first_assigned_at) as earliest_assigned_at,
    min(clusters.record_uid) as first_record_uid,
    any_value(previous.id_created_at) as id_created_at,
    list(clusters.record_uid order by clusters.record_uid) as record_uids,
    string_agg(distinct clusters.match_rule, ', ' order by clusters.match_rule) as match_rules,
from _clusters as clusters
inner join _previous as previous using (record_uid)
group by clusters.cluster_key, previous.customer_id
"""

# Rule 1: the part of each old id that keeps it.
_KEEPERS_SQL = """
create or replace temp table _keepers as
select
    *,
    sum(n_records) over (partition by old_id) as old_id_records,
from _parts
qualify row_number() over (
    partition by old_id
    order by n_records desc, earliest_assigned_at asc, first_record_uid asc
) = 1
"""

# Rule 2: among the old ids a cluster keeps, the survivor.
_SURVIVORS_SQL = """
create or replace temp table _survivors as
select
    cluster_key,
    old_id as customer_id,
    n_records,
from _keepers
qualify row_number() over (
    partition by cluster_key
    order by n_records desc, id_created_at asc, old_id asc
) = 1
"""

# Rule 3: new ids for clusters that keep none, never colliding with any id ever issued.
_NEW_IDS_SQL = """
create or replace temp table _new_ids as
with founders as (
    select
        cluster_key,
        min(record_uid) as founding_record_uid,
    from _clusters
    where cluster_key not in (select cluster_key from _survivors)
    group by cluster_key
),

based as (
    select
        *,
        $prefix || substr(sha256(founding_record_uid), 1, $digits) as base_id,
    from founders
),

issued as (
    -- ids ever issued per base (the base without its _2, _3 suffix): an equality join, so the
    -- step stays linear however many ids exist
    select left(customer_id, $base_length) as base_id, count(*) as issued_count,
    from identity.customers
    group by left(customer_id, $base_length)
),

numbered as (
    select
        based.*,
        row_number() over (partition by based.base_id order by founding_record_uid, cluster_key)
        - 1 + coalesce(issued.issued_count, 0) as suffix,
    from based
    left join issued using (base_id)
)

select
    cluster_key,
    founding_record_uid,
    case when suffix = 0 then base_id else base_id || '_' || (suffix + 1) end as customer_id,
from numbered
"""

_ASSIGNMENT_SQL = """
create or replace temp table _assignment as
select cluster_key, customer_id, false as is_new, from _survivors
union all
select cluster_key, customer_id, true as is_new, from _new_ids
"""

_NEXT_SQL = """
create or replace temp table _next as
select
    clusters.record_uid,
    assignment.customer_id,
    clusters.match_rule,
    clusters.match_score,
    case
        when previous.customer_id = assignment.customer_id then previous.first_assigned_at
        else $run_at
    end as first_assigned_at,
    coalesce(previous.first_seen_at, $run_at) as first_seen_at,
    $run_at as last_seen_at,
from _clusters as clusters
inner join _assignment as assignment using (cluster_key)
left join _previous as previous using (record_uid)
"""

# Every event of this run, numbered after the last one recorded.
_EVENTS_SQL = """
create or replace temp table _events as
with cluster_records as (
    select
        cluster_key,
        count(*) as n_records,
        list(record_uid order by record_uid) as record_uids,
        string_agg(distinct match_rule, ', ' order by match_rule) as match_rules,
    from _clusters
    group by cluster_key
),

split_sources as (
    -- the old id that gave a new cluster most of its records, if any
    select cluster_key, old_id, n_records,
    from _parts
    qualify row_number() over (
        partition by cluster_key order by n_records desc, id_created_at asc, old_id asc
    ) = 1
),

created as (
    select
        'created' as event_type,
        new_ids.customer_id,
        split_sources.old_id as from_customer_id,
        null::varchar as into_customer_id,
        case
            when split_sources.old_id is null
                then 'new person: ' || cluster_records.n_records
                    || ' record(s) never assigned before'
            else 'split from ' || split_sources.old_id || ': ' || split_sources.n_records
                || ' of its records now resolve to another person (rules: '
                || coalesce(cluster_records.match_rules, 'none') || ')'
        end as reason,
        cluster_records.n_records as record_count,
        cluster_records.record_uids,
    from _new_ids as new_ids
    inner join cluster_records using (cluster_key)
    left join split_sources using (cluster_key)
),

merged as (
    select
        'merged' as event_type,
        keepers.old_id as customer_id,
        keepers.old_id as from_customer_id,
        survivors.customer_id as into_customer_id,
        'merged into ' || survivors.customer_id || ': their records now resolve to one person'
            || ' (rules: ' || coalesce(cluster_records.match_rules, 'none') || '); the survivor'
            || ' holds the most records (' || survivors.n_records || ' vs '
            || keepers.n_records || '), ties to the oldest id' as reason,
        keepers.n_records as record_count,
        keepers.record_uids,
    from _keepers as keepers
    inner join _survivors as survivors using (cluster_key)
    inner join cluster_records using (cluster_key)
    where survivors.customer_id <> keepers.old_id
),

split as (
    select
        'split' as event_type,
        parts.old_id as customer_id,
        parts.old_id as from_customer_id,
        assignment.customer_id as into_customer_id,
        'split: ' || parts.n_records || ' of ' || keepers.old_id_records
            || ' records now resolve to ' || assignment.customer_id
            || ' (rules: ' || coalesce(parts.match_rules, 'none')
            || '); the larger part (' || keepers.n_records || ') kept the id' as reason,
        parts.n_records as record_count,
        parts.record_uids,
    from _parts as parts
    inner join _keepers as keepers using (old_id)
    inner join _assignment as assignment on parts.cluster_key = assignment.cluster_key
    where parts.cluster_key <> keepers.cluster_key
),

retired as (
    select
        'retired' as event_type,
        registry.customer_id,
        registry.customer_id as from_customer_id,
        null::varchar as into_customer_id,
        'retired: none of its ' || count(previous.record_uid)
            || ' record(s) is in this run (erased or gone from every source)' as reason,
        count(previous.record_uid) as record_count,
        list(previous.record_uid order by previous.record_uid)
            filter (where previous.record_uid is not null) as record_uids,
    from identity.customers as registry
    left join _previous as previous using (customer_id)
    where registry.status = 'active'
        and registry.customer_id not in (select old_id from _parts)
    group by registry.customer_id
),

all_events as (
    select *, 1 as event_order, from retired
    union all by name
    select *, 2 as event_order, from merged
    union all by name
    select *, 3 as event_order, from split
    union all by name
    select *, 4 as event_order, from created
)

select
    (select coalesce(max(event_id), 0) from identity.customer_id_history)
    + row_number() over (
        order by event_order, customer_id, into_customer_id nulls first
    ) as event_id,
    event_type,
    customer_id,
    from_customer_id,
    into_customer_id,
    reason,
    record_count,
    record_uids,
    $run_at as occurred_at,
from all_events
"""

_APPLY_SQL = (
    """
    insert into identity.customer_id_history
    select
        event_id, event_type, customer_id, from_customer_id, into_customer_id, reason,
        record_count, record_uids, occurred_at,
    from _events
    """,
    """
    update identity.customers as registry
    set status = 'merged', superseded_by = events.into_customer_id, updated_at = $run_at
    from _events as events
    where events.event_type = 'merged' and events.customer_id = registry.customer_id
    """,
    """
    update identity.customers as registry
    set status = 'retired', updated_at = $run_at
    from _events as events
    where events.event_type = 'retired' and events.customer_id = registry.customer_id
    """,
    """
    insert into identity.customers
    select customer_id, founding_record_uid, 'active', null, $run_at, $run_at,
    from _new_ids
    """,
    "delete from identity.customer_ids",
    """
    insert into identity.customer_ids
    select record_uid, customer_id, first_assigned_at, first_seen_at, last_seen_at,
    from _next
    """,
    "delete from identity.record_customer_ids",
    """
    insert into identity.record_customer_ids
    select record_uid, customer_id, match_rule, match_score, first_assigned_at,
    from _next
    """,
)

_TEMP_TABLES = (
    "_clusters",
    "_previous",
    "_parts",
    "_keepers",
    "_survivors",
    "_new_ids",
    "_assignment",
    "_next",
    "_events",
)


@dataclass(frozen=True)
class StableIdSummary:
    """What one assignment run did."""

    run_at: datetime
    records: int
    customers: int
    kept: int
    created: int
    merged: int
    split: int
    retired: int


def ensure_state_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``identity`` schema's persisted state tables when missing (never dropped)."""
    for statement in _STATE_DDL:
        con.execute(statement)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _check_clusters(con: duckdb.DuckDBPyConnection) -> None:
    problems = con.execute(
        """
        select
            count(*) filter (where record_uid is null or cluster_key is null),
            count(*) - count(distinct record_uid),
            count(*),
        from _clusters
        """
    ).fetchone()
    assert problems is not None
    missing, duplicated, total = problems
    if missing:
        raise ValueError(f"identity.record_clusters: {missing} row(s) without record_uid or key")
    if duplicated:
        raise ValueError(f"identity.record_clusters: {duplicated} duplicated record_uid row(s)")
    if total == 0 and _scalar(con, "select count(*) from identity.customer_ids"):
        raise ValueError(
            "identity.record_clusters is empty while customer ids exist: refusing to retire "
            "every customer (check the resolution step)"
        )


def assign_customer_ids(con: duckdb.DuckDBPyConnection, *, run_at: datetime) -> StableIdSummary:
    """Carry customer ids over from the previous run onto this run's clusters (rules above)."""
    if run_at.tzinfo is None:
        raise ValueError("run_at must be timezone-aware")
    run_at = run_at.astimezone(UTC)
    ensure_state_tables(con)
    params_run = {"run_at": run_at}
    con.execute("begin transaction")
    try:
        con.execute(_CLUSTERS_SQL)
        _check_clusters(con)
        con.execute(_PREVIOUS_SQL)
        con.execute(_PARTS_SQL)
        con.execute(_KEEPERS_SQL)
        con.execute(_SURVIVORS_SQL)
        con.execute(
            _NEW_IDS_SQL,
            {
                "prefix": ID_PREFIX,
                "digits": ID_HASH_DIGITS,
                "base_length": len(ID_PREFIX) + ID_HASH_DIGITS,
            },
        )
        con.execute(_ASSIGNMENT_SQL)
        con.execute(_NEXT_SQL, params_run)
        con.execute(_EVENTS_SQL, params_run)
        for statement in _APPLY_SQL:
            con.execute(statement, params_run if "$run_at" in statement else None)
        counts = con.execute(
            """
            select
                (select count(*) from _next),
                (select count(*) from _assignment),
                (select count(*) from _assignment where not is_new),
                count(*) filter (where event_type = 'created'),
                count(*) filter (where event_type = 'merged'),
                count(*) filter (where event_type = 'split'),
                count(*) filter (where event_type = 'retired'),
            from _events
            """
        ).fetchone()
        assert counts is not None
        summary = StableIdSummary(run_at, *(int(value) for value in counts))
        con.execute(
            "insert into identity.customer_id_runs values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_at,
                summary.records,
                summary.customers,
                summary.kept,
                summary.created,
                summary.merged,
                summary.split,
                summary.retired,
            ],
        )
        for table in _TEMP_TABLES:
            con.execute(f"drop table if exists {table}")  # names from code, not data
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return summary
