-- One row per identity-bearing source record that belongs to a customer: the record's
-- standardised attributes with the stable customer id of this run.
--
-- Deleted and merged-away records (not live) take the customer of their survivor when it has
-- one; a customer whose records are all deleted or merged away is not a customer (its records
-- are absent here), so a deleted record never creates a customer of its own.
with

records as (
    select * from {{ ref('int_identity__records') }}
),

assigned as (
    select * from {{ source('identity', 'record_customer_ids') }}
),

linked as (
    select
        records.*,
        coalesce(survivor.customer_id, assigned.customer_id) as customer_id,
        case
            when survivor.customer_id <> assigned.customer_id then 'source_survivor'
            else assigned.match_rule
        end as match_rule,
        case
            when survivor.customer_id <> assigned.customer_id then null
            else assigned.match_score
        end as match_score,
        assigned.linked_at,
    from records
    inner join assigned
        on records.record_uid = assigned.record_uid
    left join assigned as survivor
        on records.survivor_record_uid = survivor.record_uid
        and not records.is_live
        and records.survivor_record_uid <> records.record_uid
)

select * from linked
qualify bool_or(is_live) over (partition by customer_id)
