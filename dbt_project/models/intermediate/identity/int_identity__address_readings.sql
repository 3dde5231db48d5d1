-- Every distinct address as a record typed it, reduced once to its comparable parts
-- (normalize_street, normalize_unit, normalize_postal_code: customer_truth/identity/standardize.py).
-- A memo like int_identity__phone_readings, for the same reason: a run reads only the addresses
-- it has not read under the current rules. Keyed by a hash: no typed value is stored in clear.
{{ config(
    materialized='incremental',
    unique_key='reading_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

typed as (
    select distinct
        address_line1,
        address_line2,
        postal_code,
        normalize_country(country_raw) as country,
    from {{ ref('int_identity__source_records') }}
),

keyed as (
    select
        *,
        {{ identity_reading_key(['address_line1', 'address_line2', 'postal_code', 'country']) }}
            as reading_key,
    from typed
)

select
    keyed.reading_key,
    standardisation_version() as rule_version,
    normalize_street(keyed.address_line1) as street_std,
    normalize_unit(keyed.address_line1, keyed.address_line2) as unit_std,
    normalize_postal_code(keyed.postal_code, keyed.country) as postal_code_std,
from keyed
{{ memo_not_yet_read('keyed.reading_key', 'rule_version', 'standardisation_version()') }}
