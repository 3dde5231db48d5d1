-- One row per identifier of an erased person that must never be published again: the sha256 of
-- its normalised value (emails lower-case and trimmed, phones E.164, ids as delivered), and the
-- plain customer ids the person had. Incremental and append-only, so the suppression survives
-- rebuilds: when a later delivery brings the person back (a new CRM record with the same email,
-- a Stripe customer with the same phone), the new customer is found through these hashes and
-- erased again, and its new identifiers are added here.
--
-- Which customers an erasure covers: the person, not only the cluster identity made of them.
-- - every customer the request's identifier resolves to (identifier lookup, customer id);
-- - then, transitively, every customer that shares a personal identifier with an erased one:
--   an email or phone identity does not hold to be shared by different people
--   (int_identity__identifier_usage: a household landline of the erased person must not erase
--   the family), or a CRM, Shopify, Stripe or Zendesk id that one record carries and another
--   names (a Stripe customer's crm_contact_id), so a person identity split in two is erased
--   whole;
-- - on later runs, every customer holding such an identifier suppressed before (the person
--   delivered again), or an id that redirects to / from an erased id.
-- `reason` says why each customer id was erased.
-- Holds hashes only, never the identifiers themselves (customer ids are our own pseudonyms, kept
-- plain because the publisher purges published history by them). Never published.
-- full_refresh=false: `dbt build --full-refresh` must never forget an erasure.
{{ config(materialized='incremental', on_schema_change='append_new_columns', full_refresh=false) }}
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

-- the identifiers that lead from one of a person's customers to another: personal emails and
-- phones, and the source ids records carry (their own, and the ids they name in other systems)
person_links as (
    select distinct lookup.customer_id, lookup.identifier_type, lookup.identifier_value,
    from lookup
    inner join {{ ref('int_identity__identifier_usage') }} as usage
        using (identifier_type, identifier_value)
    where lookup.identifier_type in ('email', 'phone') and not usage.is_shared

    union

    select customer_id, unnest(['crm_contact_id', 'commerce_customer_id', 'billing_customer_id',
            'support_user_id']),
        unnest([crm_contact_id, cast(commerce_customer_id as varchar), billing_customer_id,
            support_user_id]),
    from {{ ref('int_customer_records_linked') }}
),

followable_links as (
    -- an id that many customers carry is a default value or a typo, not a person
    select * from person_links
    where identifier_value is not null
    qualify count(*) over (partition by identifier_type, identifier_value)
        <= {{ var('identity_strong_id_max_carriers') }}
),

named_customers as (
    select requests.erasure_request_id, lookup.customer_id, 'requested_identifier' as reason,
    from requests
    inner join lookup using (identifier_type, identifier_value)

    union

    select requests.erasure_request_id, coalesce(redirects.current_customer_id, redirects.customer_id),
        'requested_identifier',
    from requests
    inner join redirects
        on requests.identifier_type = 'customer_id'
        and requests.identifier_value = redirects.customer_id
    {%- if is_incremental() %}

    union

    -- a later delivery of an erased person: an identifier suppressed before as theirs alone.
    -- Not one that others held then (a household landline): the sweep removed the erased
    -- person's records, so the family member left holding it now looks like its only holder.
    -- (Null: a request's own identifier, or a row from before is_personal existed.)
    select suppressed.erasure_request_id, links.customer_id, 'delivered_again',
    from followable_links as links
    inner join {{ this }} as suppressed
        on suppressed.identifier_type = links.identifier_type
        and suppressed.identifier_hash = sha256(links.identifier_value)
        and suppressed.is_personal is distinct from false

    union

    select suppressed.erasure_request_id, coalesce(redirects.current_customer_id, redirects.customer_id),
        'delivered_again',
    from redirects
    inner join {{ this }} as suppressed
        on suppressed.identifier_type = 'customer_id'
        and suppressed.customer_id = redirects.customer_id
    {%- endif %}
),

-- the person followed through their personal identifiers, as far as they lead
reachable as (
    with recursive reach (erasure_request_id, customer_id) as (
        select erasure_request_id, customer_id, from named_customers where customer_id is not null
        union
        select reach.erasure_request_id, theirs.customer_id,
        from reach
        inner join followable_links as mine on mine.customer_id = reach.customer_id
        inner join followable_links as theirs
            on theirs.identifier_type = mine.identifier_type
            and theirs.identifier_value = mine.identifier_value
    )

    select * from reach
),

-- why each was erased: named by the request (or found again), else the kind of identifier it
-- shares with another erased customer of the same request
reached as (
    select
        reachable.erasure_request_id,
        reachable.customer_id,
        coalesce(
            min(named_customers.reason),
            'shares_' || min(theirs.identifier_type) || '_with_an_erased_customer'
        ) as reason,
    from reachable
    left join named_customers using (erasure_request_id, customer_id)
    left join followable_links as mine on mine.customer_id = reachable.customer_id
    left join followable_links as theirs
        on theirs.identifier_type = mine.identifier_type
        and theirs.identifier_value = mine.identifier_value
        and theirs.customer_id <> mine.customer_id
        and exists (
            select 1 from reachable as other
            where other.erasure_request_id = reachable.erasure_request_id
                and other.customer_id = theirs.customer_id
        )
    group by all
),

-- the customer ids of those people: current ids, and every old id that redirects to them
erased_ids as (
    select erasure_request_id, customer_id, reason, from reached
    union
    select reached.erasure_request_id, redirects.customer_id, 'redirects_to_an_erased_customer',
    from reached
    inner join redirects
        on redirects.current_customer_id = reached.customer_id
        and redirects.customer_id <> reached.customer_id
),

identifiers as (
    select erasure_request_id, 'customer_id' as identifier_type, customer_id as identifier_value,
        reason, cast(null as boolean) as is_personal,
    from erased_ids

    union

    select erased_ids.erasure_request_id, lookup.identifier_type, lookup.identifier_value, null,
        not lookup.is_shared,
    from erased_ids
    inner join lookup using (customer_id)

    union

    -- the request's own identifier, even when it resolved to nobody (yet)
    select erasure_request_id, identifier_type, identifier_value, null, null,
    from requests
    where identifier_value is not null
),

hashed as (
    select
        identifier_type,
        sha256(identifier_value) as identifier_hash,
        case when identifier_type = 'customer_id' then identifier_value end as customer_id,
        erasure_request_id,
        reason,
        -- the person's own: no other person holds it, so a record naming it is theirs
        bool_or(is_personal) over (partition by identifier_type, identifier_value) as is_personal,
    from identifiers
    -- one row per identifier: the earliest request that named it, the most direct reason
    qualify row_number() over (
        partition by identifier_type, identifier_hash
        order by erasure_request_id,
            case
                when reason in ('requested_identifier', 'delivered_again') then 0
                when starts_with(reason, 'shares_') then 1
                else 2
            end,
            reason
    ) = 1
)

select
    hashed.identifier_type,
    hashed.identifier_hash,
    hashed.customer_id,
    hashed.erasure_request_id,
    now() as suppressed_at,
    hashed.reason,
    hashed.is_personal,
from hashed
{%- if is_incremental() %}
where not exists (
    select 1 from {{ this }} as known
    where known.identifier_type = hashed.identifier_type
        and known.identifier_hash = hashed.identifier_hash
)
{%- endif %}
