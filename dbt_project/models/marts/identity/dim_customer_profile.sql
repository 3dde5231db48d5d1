-- One row per customer (a resolved person): the golden record. Each golden attribute carries
-- its provenance (the source system, record and observed_at it survived from); the address
-- survives as one block so its parts never mix records. Consent is the most restrictive
-- statement. Conflicting values stay in fct_customer_attribute_conflicts; here they are flagged.
{%- set single_attributes = ['given_name', 'family_name', 'email', 'phone', 'birth_date'] %}
{%- set address_parts = ['address_line1', 'address_line2', 'city', 'region', 'postal_code', 'country'] %}
-- Incremental: a run rebuilds the customers whose records changed (macros/golden_incremental.sql)
-- and those whose household changed (households group customers by each other's addresses).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_customers',
    on_schema_change='fail',
    pre_hook="{{ golden_state_guard() }}",
) }}
-- depends_on: {{ ref('int_customer_golden_record_changes') }}

with

{%- if is_incremental() %}

household_moves as (
    select customer_id,
    from {{ ref('int_households_grouped') }} as households
    full join (
        select customer_id, household_id, from {{ this }} where household_id is not null
    ) as held using (customer_id)
    where households.household_id is distinct from held.household_id
),
{%- endif %}

records as (
    select * from {{ ref('int_customer_records_linked') }}
    where {{ golden_customers_to_build('customer_id') }}
    {%- if is_incremental() %}
        or customer_id in (select customer_id from household_moves)
    {%- endif %}
),

survived as (
    select * from {{ ref('int_customer_attributes_survived') }}
    where customer_id in (select customer_id from records)
),

customers as (
    select
        customer_id,
        min(first_seen_at) as first_seen_at,
        greatest(max(observed_at), max(first_seen_at)) as last_seen_at,
        count(*) filter (where is_live) as live_record_count,
        list(distinct source_system order by source_system) filter (where is_live)
            as source_systems,
    from records
    group by customer_id
),

pivoted as (
    select
        customer_id,
        {%- for attribute in single_attributes %}
        max(value) filter (where attribute = '{{ attribute }}') as {{ attribute }},
        {%- endfor %}
        {%- for part in address_parts %}
        max({{ part }}) filter (where attribute = 'address') as {{ part }},
        {%- endfor %}
        {%- for attribute in single_attributes + ['address'] %}
        max(source_system) filter (where attribute = '{{ attribute }}')
            as {{ attribute }}_source_system,
        max(source_record_id) filter (where attribute = '{{ attribute }}')
            as {{ attribute }}_source_record_id,
        max(observed_at) filter (where attribute = '{{ attribute }}')
            as {{ attribute }}_observed_at,
        {%- endfor %}
        list(attribute order by attribute) filter (where has_conflict) as conflicting_attributes,
    from survived
    group by customer_id
),

consent as (
    select * from {{ ref('int_customer_consent_resolved') }}
),

households as (
    select * from {{ ref('int_households_grouped') }}
)

select
    customers.customer_id,
    households.household_id,
    pivoted.given_name,
    pivoted.family_name,
    pivoted.email,
    pivoted.phone,
    cast(pivoted.birth_date as date) as birth_date,
    {%- for part in address_parts %}
    pivoted.{{ part }},
    {%- endfor %}
    {%- for attribute in single_attributes %}
    pivoted.{{ attribute }}_source_system,
    pivoted.{{ attribute }}_source_record_id,
    pivoted.{{ attribute }}_observed_at,
    {%- endfor %}
    {%- for part in address_parts %}
    -- the address survives as one block: every part shares the block's provenance
    case when pivoted.{{ part }} is not null then pivoted.address_source_system end
        as {{ part }}_source_system,
    case when pivoted.{{ part }} is not null then pivoted.address_source_record_id end
        as {{ part }}_source_record_id,
    case when pivoted.{{ part }} is not null then pivoted.address_observed_at end
        as {{ part }}_observed_at,
    {%- endfor %}
    consent.email_opt_in,
    consent.email_consent_basis,
    consent.email_opt_in_source_system,
    consent.email_opt_in_source_record_id,
    consent.email_opt_in_observed_at,
    consent.do_not_call,
    consent.do_not_call_source_system,
    consent.do_not_call_source_record_id,
    consent.do_not_call_observed_at,
    coalesce(len(pivoted.conflicting_attributes), 0) > 0 as has_conflicts,
    coalesce(pivoted.conflicting_attributes, cast([] as varchar[])) as conflicting_attributes,
    customers.source_systems,
    customers.live_record_count,
    customers.first_seen_at,
    customers.last_seen_at,
from customers
left join pivoted using (customer_id)
inner join consent using (customer_id)
left join households using (customer_id)
