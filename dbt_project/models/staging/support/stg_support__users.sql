-- One row per Zendesk user (id): the latest version by updated_at (then latest batch, then last
-- line). Includes agents and admins; identity resolution uses end-users only.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='support_user_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "name": "VARCHAR",
    "email": "VARCHAR",
    "phone": "VARCHAR",
    "external_id": "VARCHAR",
    "role": "VARCHAR",
    "shared_phone_number": "VARCHAR",
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
    from {{ source('raw', 'support__users') }}
    {{ staging_new_deliveries(source('raw', 'support__users')) }}
),

renamed as (
    select
        record_key as support_user_id,
        {{ clean_text('record.name') }} as user_name,
        {{ clean_text('record.email') }} as email,
        {{ normalize_email('record.email') }} as email_normalized,
        {{ clean_text('record.phone') }} as phone,
        {{ clean_text('record.external_id') }} as external_id,
        {{ clean_text('record.role') }} as user_role,
        {{ parse_boolean('record.shared_phone_number') }} as has_shared_phone_number,
        {{ to_utc('record.created_at') }} as created_at,
        {{ to_utc('record.updated_at') }} as updated_at,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from source
),

versions as (
    {{ staging_versions_with_held('renamed', 'support_user_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by support_user_id
        order by updated_at desc nulls last, batch_id desc, line_number desc
    ) = 1
)

select * from deduplicated
