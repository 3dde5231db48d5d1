-- _new_ids: rule 3, new ids for clusters that keep none, never colliding with any id ever
-- issued: $prefix and the first $digits hex digits of sha256 of the founding record
-- ($base_length = both), then _2, _3...
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
