-- One row per identifier of an erased person that must never be published again: the sha256 of
-- its normalised value (emails lower-case and trimmed, phones E.164, ids as delivered), and the
-- plain customer ids the person had. Incremental and append-only, so the suppression survives
-- rebuilds: when a later delivery brings the person back (a new CRM record with the same email,
-- a Stripe customer with the same phone), the new customer is found through these hashes and
-- erased again, and its new identifiers are added here.
--
-- Which customers an erasure covers:
-- - every customer the request's identifier resolves to (identifier lookup, customer id);
-- - on later runs, every customer holding an identifier suppressed before that it does not share
--   with other customers (a household landline of the erased person must not erase the family),
--   or an id that redirects to / from an erased id.
-- Holds hashes only, never the identifiers themselves (customer ids are our own pseudonyms, kept
-- plain because the publisher purges published history by them). Never published.
-- full_refresh=false: `dbt build --full-refresh` must never forget an erasure.
{{ config(materialized='incremental', on_schema_change='fail', full_refresh=false) }}
{%- set country = var('identity_default_country', 'US') %}

with

requests as (
    select
        erasure_request_id,
        requested_at,
        identifier_type,
        case identifier_type
            when 'email' then identifier_value_normalized
            when 'phone' then normalize_phone(identifier_value, '{{ country }}')
            when 'order_name' then {{ normalize_order_name('identifier_value') }}
            when 'tracking_code' then {{ normalize_tracking_code('identifier_value') }}
            else trim(identifier_value)
        end as identifier_value,
    from {{ ref('stg_privacy__erasure_requests') }}
    where identifier_value is not null
),

lookup as (
    select identifier_type, identifier_value, customer_id, is_shared,
    from {{ ref('bdg_identifier_lookup') }}
),

redirects as (
    select customer_id, current_customer_id,
    from {{ ref('bdg_customer_id_redirects') }}
),

named_customers as (
    select requests.erasure_request_id, lookup.customer_id,
    from requests
    inner join lookup using (identifier_type, identifier_value)

    union

    select requests.erasure_request_id, coalesce(redirects.current_customer_id, redirects.customer_id),
    from requests
    inner join redirects
        on requests.identifier_type = 'customer_id'
        and requests.identifier_value = redirects.customer_id
    {%- if is_incremental() %}

    union

    -- a later delivery of an erased person: an unshared identifier suppressed before
    select suppressed.erasure_request_id, lookup.customer_id,
    from lookup
    inner join {{ this }} as suppressed
        on suppressed.identifier_type = lookup.identifier_type
        and suppressed.identifier_hash = sha256(lookup.identifier_value)
    where not lookup.is_shared

    union

    select suppressed.erasure_request_id, coalesce(redirects.current_customer_id, redirects.customer_id),
    from redirects
    inner join {{ this }} as suppressed
        on suppressed.identifier_type = 'customer_id'
        and suppressed.customer_id = redirects.customer_id
    {%- endif %}
),

-- the customer ids of those people: current ids, and every old id that redirects to them
erased_ids as (
    select erasure_request_id, customer_id, from named_customers where customer_id is not null
    union
    select named_customers.erasure_request_id, redirects.customer_id,
    from named_customers
    inner join redirects on redirects.current_customer_id = named_customers.customer_id
),

identifiers as (
    select erasure_request_id, 'customer_id' as identifier_type, customer_id as identifier_value,
    from erased_ids

    union

    select erased_ids.erasure_request_id, lookup.identifier_type, lookup.identifier_value,
    from erased_ids
    inner join lookup using (customer_id)

    union

    -- the request's own identifier, even when it resolved to nobody (yet)
    select erasure_request_id, identifier_type, identifier_value,
    from requests
    where identifier_value is not null
),

hashed as (
    select
        identifier_type,
        sha256(identifier_value) as identifier_hash,
        case when identifier_type = 'customer_id' then identifier_value end as customer_id,
        erasure_request_id,
    from identifiers
    -- one row per identifier: the earliest request that named it
    qualify row_number() over (
        partition by identifier_type, identifier_hash order by erasure_request_id
    ) = 1
)

select
    hashed.identifier_type,
    hashed.identifier_hash,
    hashed.customer_id,
    hashed.erasure_request_id,
    now() as suppressed_at,
from hashed
{%- if is_incremental() %}
where not exists (
    select 1 from {{ this }} as known
    where known.identifier_type = hashed.identifier_type
        and known.identifier_hash = hashed.identifier_hash
)
{%- endif %}
