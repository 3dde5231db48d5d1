-- One row per Salesforce account: the latest version by LastModifiedDate (then latest batch,
-- then last line), including deleted accounts, flagged.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='crm_account_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "Name": "VARCHAR",
    "AccountNumber": "VARCHAR",
    "Type": "VARCHAR",
    "BillingStreet": "VARCHAR",
    "BillingCity": "VARCHAR",
    "BillingState": "VARCHAR",
    "BillingPostalCode": "VARCHAR",
    "BillingCountry": "VARCHAR",
    "Phone": "VARCHAR",
    "IsDeleted": "VARCHAR",
    "CreatedDate": "VARCHAR",
    "LastModifiedDate": "VARCHAR",
} %}

with

source as (
    select
        record_key,
        {{ parse_json_payload('payload', payload_shape) }} as record,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from {{ source('raw', 'crm__accounts') }}
    {{ staging_new_deliveries(source('raw', 'crm__accounts')) }}
),

renamed as (
    select
        record_key as crm_account_id,
        {{ clean_text('record.Name') }} as account_name,
        {{ clean_text('record.AccountNumber') }} as account_number,
        {{ clean_text('record.Type') }} as account_type,
        {{ clean_text('record.BillingStreet') }} as billing_street,
        {{ clean_text('record.BillingCity') }} as billing_city,
        {{ clean_text('record.BillingState') }} as billing_state,
        {{ clean_text('record.BillingPostalCode') }} as billing_postal_code,
        {{ clean_text('record.BillingCountry') }} as billing_country,
        {{ clean_text('record.Phone') }} as phone,
        coalesce({{ parse_boolean('record.IsDeleted') }}, false) as is_deleted,
        {{ to_utc('record.CreatedDate') }} as created_at,
        {{ to_utc('record.LastModifiedDate') }} as last_modified_at,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from source
),

versions as (
    {{ staging_versions_with_held('renamed', 'crm_account_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by crm_account_id
        order by last_modified_at desc nulls last, batch_id desc, line_number desc
    ) = 1
)

select * from deduplicated
