-- One row per customer and golden attribute that has at least one candidate: the surviving value
-- and its provenance.
--
-- Survivorship, in order:
--   1. plausibility: a contact point only this customer uses (email, phone) beats one shared
--      with other customers; names from a record typed the wrong way round come last;
--   2. authority: the lowest authority_rank of the registry seed `source_authority`;
--   3. recency: the latest observed_at;
--   4. agreement: the fact more systems state (ties within one record: several phones);
--   5. completeness (more address parts, a verified email, a formal name, a record's main phone);
--   6. the smallest record_uid, then the smallest value_key (a record states several phones),
--      so the choice is deterministic.
-- The winner decides the fact. Among the candidates stating that same fact (the same value_key,
-- or for a given name the formal name a nickname stands for: Robert for Bob) the most complete
-- form is shown, with its own record as provenance.
--
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
    where {{ golden_customers_to_build('customer_id') }}
),

winning_fact as (
    select customer_id, attribute, value_key, value_aliases,
    from candidates
    qualify row_number() over (
        partition by customer_id, attribute
        order by
            is_shared asc,
            is_swap_suspect asc,
            authority_rank asc,
            observed_at desc nulls last,
            agreement desc,
            completeness desc,
            record_uid asc,
            value_key asc
    ) = 1
),

shown_candidate as (
    -- which candidate shows the fact: decided on the keys alone, then its row is fetched (the
    -- sort no longer carries every column of every candidate)
    select
        candidates.customer_id,
        candidates.attribute,
        candidates.record_uid,
        candidates.value_key,
    from candidates
    inner join winning_fact
        on candidates.customer_id = winning_fact.customer_id
        and candidates.attribute = winning_fact.attribute
        and (
            candidates.value_key = winning_fact.value_key
            or list_contains(winning_fact.value_aliases, candidates.value_key)
        )
    where not candidates.is_swap_suspect
        or candidates.value_key = winning_fact.value_key
    qualify row_number() over (
        partition by candidates.customer_id, candidates.attribute
        order by
            candidates.completeness desc,
            candidates.authority_rank asc,
            candidates.observed_at desc nulls last,
            candidates.record_uid asc,
            candidates.value_key asc
    ) = 1
),

shown as (
    -- (customer, attribute, record, value_key) is one candidate
    select candidates.*,
    from candidates
    inner join shown_candidate using (customer_id, attribute, record_uid, value_key)
),

fact_counts as (
    select
        customer_id,
        attribute,
        count(distinct value_key) filter (where is_record_primary) as distinct_values,
    from candidates
    group by customer_id, attribute
)

select
    shown.customer_id,
    shown.attribute,
    shown.value,
    shown.value_key,
    shown.source_system,
    shown.source_entity,
    shown.source_record_id,
    shown.record_uid,
    shown.observed_at,
    shown.authority_rank,
    shown.is_shared,
    shown.address_line1,
    shown.address_line2,
    shown.city,
    shown.region,
    shown.postal_code,
    shown.country,
    coalesce(fact_counts.distinct_values, 0) > 1 as has_conflict,
from shown
inner join fact_counts using (customer_id, attribute)
