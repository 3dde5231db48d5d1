-- One row per customer, golden attribute and live source record that states a value for it:
-- every candidate value with its provenance (system, record, observed_at), its authority rank
-- from the registry seed `source_authority`, and the quality facts survivorship orders by.
--
-- value      what the record says, as cleaned by standardisation (shown in the golden record)
-- value_key  the comparable form: two candidates with the same key state the same fact (Bob and
--            Robert share a canonical given name; addresses compare by address_key)
-- Placeholders (test@test.com, N/A, unknown) are not candidates at all: a golden value is never
-- junk. Only live records speak: a merged-away or deleted record's values are stale.
--
-- Incremental: a run rebuilds the customers whose records changed (macros/golden_incremental.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_customers',
    on_schema_change='fail',
    pre_hook="{{ golden_state_guard(first_writer=true) }}",
) }}
-- depends_on: {{ ref('int_customer_golden_record_changes') }}
{%- set unlisted_rank = var('identity_unlisted_authority_rank', 100) %}

with

records as (
    select * from {{ ref('int_customer_records_linked') }}
    where is_live and {{ golden_customers_to_build('customer_id') }}
),

contact_points as (
    select * from {{ ref('int_customer_contact_points') }}
    where {{ golden_customers_to_build('customer_id') }}
),

authority as (
    select * from {{ ref('source_authority') }}
),

swapped_records as (
    -- a record whose given name is another record's family name and whose family name is
    -- another record's given name (or a nickname of it) was typed the wrong way round: its names
    -- stay candidates but survive only when nothing else does
    select distinct this.record_uid,
    from records as this
    inner join records as other_family
        on this.customer_id = other_family.customer_id
        and this.record_uid <> other_family.record_uid
        and this.given_name_std = other_family.family_name_std
    inner join records as other_given
        on this.customer_id = other_given.customer_id
        and this.record_uid <> other_given.record_uid
        and list_contains(
            list_append(coalesce(other_given.given_name_aliases, []), other_given.given_name_std),
            this.family_name_std
        )
    where this.given_name_std <> this.family_name_std
),

stated as (
    select
        customer_id, 'given_name' as attribute, record_uid, given_name as value,
        coalesce(given_name_canonical, given_name_std, lower(given_name)) as value_key,
        given_name_aliases as value_aliases,
        true as is_record_primary,
        -- a formal name (Robert) is more complete than a nickname (Bob) or an initial
        case
            when length(given_name_std) <= 1 then 0
            when coalesce(given_name_canonical, given_name_std) <> given_name_std then 1
            when len(coalesce(given_name_aliases, [])) > 1 then 1
            else 2
        end as completeness,
        false as is_shared,
    from records
    where not {{ is_placeholder_text('given_name') }}

    union all
    select
        customer_id, 'family_name', record_uid, family_name,
        coalesce(family_name_std, lower(family_name)),
        null,
        true,
        case when length(family_name_std) <= 1 then 0 else 1 end,
        false,
    from records
    where not {{ is_placeholder_text('family_name') }}

    union all
    -- emails and phones (int_customer_contact_points: junk emails are not stated, each of a
    -- record's numbers is)
    select
        records.customer_id, contact_points.attribute, contact_points.record_uid,
        contact_points.value, contact_points.value,
        null,
        contact_points.is_record_primary,
        case contact_points.attribute
            when 'email' then 1 + coalesce(records.email_verified::int, 0)
            else 1 + contact_points.is_record_primary::int
        end,
        contact_points.is_shared,
    from contact_points
    inner join records using (record_uid)

    union all
    select
        customer_id, 'birth_date', record_uid, strftime(birth_date, '%Y-%m-%d'),
        strftime(birth_date, '%Y-%m-%d'),
        null,
        true,
        1,
        false,
    from records
    where birth_date is not null

    union all
    select
        customer_id, 'address', record_uid, concat_ws(', ', address_line1, address_line2, city,
            region, postal_code, country),
        coalesce(address_key, lower(concat_ws('|', address_line1, postal_code, country))),
        null,
        true,
        (address_line1 is not null)::int + (city is not null)::int + (region is not null)::int
        + (postal_code is not null)::int + (country is not null)::int,
        false,
    from records
    where not {{ is_placeholder_text('address_line1') }}
),

stated_by_records as (
    select
        stated.*,
        records.source_system,
        records.source_entity,
        records.source_record_id,
        records.observed_at,
        records.address_line1,
        records.address_line2,
        records.city,
        records.region,
        records.postal_code,
        records.country,
    from stated
    inner join records using (record_uid)
),

agreement as (
    -- how many systems state this same fact for the customer (aggregates, not windows: a
    -- distinct count over a window took 5 of the model's 7 s at 100k persons)
    select customer_id, attribute, value_key, count(distinct source_system) as agreement,
    from stated_by_records
    group by customer_id, attribute, value_key
),

candidates as (
    select
        stated.customer_id,
        stated.attribute,
        stated.value,
        stated.value_key,
        stated.value_aliases,
        stated.record_uid,
        stated.source_system,
        stated.source_entity,
        stated.source_record_id,
        stated.observed_at,
        coalesce(authority.authority_rank, {{ unlisted_rank }}) as authority_rank,
        stated.completeness,
        stated.is_record_primary,
        agreement.agreement,
        stated.attribute in ('given_name', 'family_name')
            and stated.record_uid in (select record_uid from swapped_records) as is_swap_suspect,
        stated.is_shared,
        case when stated.attribute = 'address' then stated.address_line1 end as address_line1,
        case when stated.attribute = 'address' then stated.address_line2 end as address_line2,
        case when stated.attribute = 'address' then stated.city end as city,
        case when stated.attribute = 'address' then stated.region end as region,
        case when stated.attribute = 'address' then stated.postal_code end as postal_code,
        case when stated.attribute = 'address' then stated.country end as country,
    from stated_by_records as stated
    inner join agreement
        on stated.customer_id is not distinct from agreement.customer_id
        and stated.attribute = agreement.attribute
        and stated.value_key is not distinct from agreement.value_key
    left join authority
        on stated.attribute = authority.attribute
        and stated.source_system = authority.source_system
)

select * from candidates
