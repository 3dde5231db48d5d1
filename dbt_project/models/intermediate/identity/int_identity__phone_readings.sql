-- Every distinct phone as a record typed it (int_identity__source_records), as an order, a
-- charge or a CRM account gave it for a record (int_identity__observed_identifiers), or as a
-- caller or an order carried it (what journeys attribute by), read once into E.164 in the
-- country it is in (normalize_phone: customer_truth/identity/standardize.py).
--
-- Reading a phone through libphonenumber is the costliest part of standardising a record, and a
-- day's records repeat almost every phone already read. So this is a memo, incremental: a run
-- reads only the phones it has not read under the current rules (`standardisation_version()`:
-- the module's text and libphonenumber's version), and a change of the rules reads every phone
-- again without a full refresh. Keyed by a hash: no typed value is stored in clear.
{{ config(
    materialized='incremental',
    unique_key='reading_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

typed as (
    select distinct
        unnest(phones_raw) as phone_raw,
        {{ identity_phone_country('normalize_country(country_raw)') }} as read_in_country,
    from {{ ref('int_identity__source_records') }}
    union
    select value_raw, {{ identity_phone_country('normalize_country(country_raw)') }},
    from {{ ref('int_identity__observed_identifiers') }}
    where identifier_type = 'phone'
    -- and the numbers journeys attribute events by (int_journeys__subject_references,
    -- int_journeys__orders), in the country they read them in: a caller's, an order's
    union
    select customer_endpoint_address, '{{ var("identity_default_country") }}',
    from {{ ref('stg_contact_center__contact_records') }}
    where customer_endpoint_type = 'TELEPHONE_NUMBER'
    union
    select phone, {{ identity_phone_country('shipping_country_code') }},
    from {{ ref('stg_commerce__orders') }}
    where phone is not null
),

keyed as (
    select
        phone_raw,
        read_in_country,
        {{ identity_reading_key(['phone_raw', 'read_in_country']) }} as reading_key,
    from typed
    where phone_raw is not null
)

select
    keyed.reading_key,
    standardisation_version() as rule_version,
    normalize_phone(keyed.phone_raw, keyed.read_in_country) as e164,
from keyed
{{ memo_not_yet_read('keyed.reading_key', 'rule_version', 'standardisation_version()') }}
