-- One row per customer, golden attribute and distinct value stated by its live records, for the
-- attributes on which those records disagree (two or more distinct facts). The surviving value
-- is marked is_golden; the others are kept, with who said them and when, for review.
-- Incremental: a run rebuilds the customers whose records changed (macros/golden_incremental.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_customers',
    on_schema_change='fail',
    pre_hook="{{ golden_state_guard() }}",
) }}
-- depends_on: {{ ref('int_customer_golden_record_changes') }}
with

candidates as (
    select * from {{ ref('int_customer_attribute_candidates') }}
    -- one statement per record: a record's secondary phones are extra numbers, not disagreement
    where is_record_primary and {{ golden_customers_to_build('customer_id') }}
),

survived as (
    select customer_id, attribute, value_key,
    from {{ ref('int_customer_attributes_survived') }}
    where has_conflict and {{ golden_customers_to_build('customer_id') }}
),

values_stated as (
    select
        candidates.customer_id,
        candidates.attribute,
        candidates.value_key,
        -- the most recent wording stands for the fact (Bob and Robert are one given name)
        list(
            candidates.value order by candidates.observed_at desc nulls last, candidates.record_uid asc
        )[1] as value,
        list(distinct candidates.source_system order by candidates.source_system)
            as source_systems,
        list(candidates.record_uid order by candidates.record_uid) as record_uids,
        count(*) as record_count,
        min(candidates.authority_rank) as best_authority_rank,
        max(candidates.observed_at) as last_observed_at,
    from candidates
    inner join survived using (customer_id, attribute)
    group by candidates.customer_id, candidates.attribute, candidates.value_key
)

select
    values_stated.customer_id,
    values_stated.attribute,
    values_stated.value_key,
    values_stated.value,
    coalesce(values_stated.value_key = survived.value_key, false) as is_golden,
    values_stated.source_systems,
    values_stated.record_uids,
    values_stated.record_count,
    values_stated.best_authority_rank,
    values_stated.last_observed_at,
from values_stated
inner join survived using (customer_id, attribute)
