-- _events: every event of this run (retired, merged, split, created), with its reason and the
-- records that moved, numbered after the last one recorded ($run_at: this run).
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
