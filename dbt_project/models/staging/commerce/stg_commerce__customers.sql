-- One row per Shopify customer (id): the latest version by updated_at (then latest batch, then
-- last line). Timestamps carry the shop's offset and are converted to UTC.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='commerce_customer_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "email": "VARCHAR",
    "phone": "VARCHAR",
    "first_name": "VARCHAR",
    "last_name": "VARCHAR",
    "state": "VARCHAR",
    "verified_email": "VARCHAR",
    "email_marketing_consent": {"state": "VARCHAR", "consent_updated_at": "VARCHAR"},
    "default_address": {
        "address1": "VARCHAR",
        "address2": "VARCHAR",
        "city": "VARCHAR",
        "province_code": "VARCHAR",
        "zip": "VARCHAR",
        "country_code": "VARCHAR",
        "phone": "VARCHAR",
    },
    "tags": "JSON",
    "created_at": "VARCHAR",
    "updated_at": "VARCHAR",
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
    from {{ source('raw', 'commerce__customers') }}
    {{ staging_new_deliveries(source('raw', 'commerce__customers')) }}
),

renamed as (
    select
        try_cast(record_key as bigint) as commerce_customer_id,
        {{ clean_text('record.email') }} as email,
        {{ normalize_email('record.email') }} as email_normalized,
        {{ clean_text('record.phone') }} as phone,
        {{ clean_text('record.first_name') }} as first_name,
        {{ clean_text('record.last_name') }} as last_name,
        {{ clean_text('record.state') }} as customer_state,
        {{ parse_boolean('record.verified_email') }} as is_verified_email,
        {{ clean_text('record.email_marketing_consent.state') }} as email_marketing_consent_state,
        {{ to_utc('record.email_marketing_consent.consent_updated_at') }} as email_marketing_consent_updated_at,
        {{ clean_text('record.default_address.address1') }} as default_address_line1,
        {{ clean_text('record.default_address.address2') }} as default_address_line2,
        {{ clean_text('record.default_address.city') }} as default_address_city,
        {{ clean_text('record.default_address.province_code') }} as default_address_province_code,
        {{ clean_text('record.default_address.zip') }} as default_address_zip,
        {{ clean_text('record.default_address.country_code') }} as default_address_country_code,
        {{ clean_text('record.default_address.phone') }} as default_address_phone,
        -- Shopify sends tags as one comma-separated string; some exports send an array
        list_filter(
            list_transform(
                case json_type(record.tags)
                    when 'ARRAY' then json_transform(record.tags, '["VARCHAR"]')
                    when 'VARCHAR' then string_split(record.tags ->> '$', ',')
                end,
                lambda tag: {{ clean_text('tag') }}
            ),
            lambda tag: tag is not null
        ) as tags,
        {{ to_utc('record.created_at') }} as created_at,
        {{ to_utc('record.updated_at') }} as updated_at,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from source
),

versions as (
    {{ staging_versions_with_held('renamed', 'commerce_customer_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by commerce_customer_id
        order by updated_at desc nulls last, batch_id desc, line_number desc
    ) = 1
)

select * from deduplicated
