-- One row per Salesforce contact: the latest version by LastModifiedDate (then latest batch,
-- then last line), including deleted and merged-away contacts, flagged.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='crm_contact_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "AccountId": "VARCHAR",
    "Salutation": "VARCHAR",
    "FirstName": "VARCHAR",
    "LastName": "VARCHAR",
    "Email": "VARCHAR",
    "Phone": "VARCHAR",
    "MobilePhone": "VARCHAR",
    "HomePhone": "VARCHAR",
    "Birthdate": "VARCHAR",
    "MailingStreet": "VARCHAR",
    "MailingCity": "VARCHAR",
    "MailingState": "VARCHAR",
    "MailingPostalCode": "VARCHAR",
    "MailingCountry": "VARCHAR",
    "HasOptedOutOfEmail": "VARCHAR",
    "DoNotCall": "VARCHAR",
    "IsDeleted": "VARCHAR",
    "MasterRecordId": "VARCHAR",
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
    from {{ source('raw', 'crm__contacts') }}
    {{ staging_new_deliveries(source('raw', 'crm__contacts')) }}
),

renamed as (
    select
        record_key as crm_contact_id,
        {{ clean_text('record.AccountId') }} as crm_account_id,
        {{ clean_text('record.Salutation') }} as salutation,
        {{ clean_text('record.FirstName') }} as first_name,
        {{ clean_text('record.LastName') }} as last_name,
        {{ clean_text('record.Email') }} as email,
        {{ normalize_email('record.Email') }} as email_normalized,
        {{ clean_text('record.Phone') }} as phone,
        {{ clean_text('record.MobilePhone') }} as mobile_phone,
        {{ clean_text('record.HomePhone') }} as home_phone,
        try_cast({{ clean_text('record.Birthdate') }} as date) as birth_date,
        {{ clean_text('record.MailingStreet') }} as mailing_street,
        {{ clean_text('record.MailingCity') }} as mailing_city,
        {{ clean_text('record.MailingState') }} as mailing_state,
        {{ clean_text('record.MailingPostalCode') }} as mailing_postal_code,
        {{ clean_text('record.MailingCountry') }} as mailing_country,
        {{ parse_boolean('record.HasOptedOutOfEmail') }} as has_opted_out_of_email,
        {{ parse_boolean('record.DoNotCall') }} as is_do_not_call,
        coalesce({{ parse_boolean('record.IsDeleted') }}, false) as is_deleted,
        {{ clean_text('record.MasterRecordId') }} as master_record_id,
        {{ to_utc('record.CreatedDate') }} as created_at,
        {{ to_utc('record.LastModifiedDate') }} as last_modified_at,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from source
),

versions as (
    {{ staging_versions_with_held('renamed', 'crm_contact_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by crm_contact_id
        order by last_modified_at desc nulls last, batch_id desc, line_number desc
    ) = 1
)

select
    crm_contact_id,
    crm_account_id,
    salutation,
    first_name,
    last_name,
    email,
    email_normalized,
    phone,
    mobile_phone,
    home_phone,
    birth_date,
    mailing_street,
    mailing_city,
    mailing_state,
    mailing_postal_code,
    mailing_country,
    has_opted_out_of_email,
    is_do_not_call,
    is_deleted,
    master_record_id,
    master_record_id is not null as is_merged,
    created_at,
    last_modified_at,
    batch_id,
    extracted_at,
    source_file,
    line_number,
from deduplicated
