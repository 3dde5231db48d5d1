-- One row per Segment message (messageId). Messages are immutable; at-least-once delivery and
-- full re-extracts repeat them, and the first delivery (earliest batch, then first line) is kept
-- so a row's lineage does not move when history is delivered again.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='message_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "type": "VARCHAR",
    "anonymousId": "VARCHAR",
    "userId": "VARCHAR",
    "previousId": "VARCHAR",
    "event": "VARCHAR",
    "name": "VARCHAR",
    "properties": "JSON",
    "traits": "JSON",
    "context": {
        "ip": "VARCHAR",
        "userAgent": "VARCHAR",
        "page": {"url": "VARCHAR", "path": "VARCHAR"},
        "device": {"id": "VARCHAR"},
    },
    "timestamp": "VARCHAR",
    "sentAt": "VARCHAR",
    "receivedAt": "VARCHAR",
} %}
{%- set traits_shape = {
    "email": "VARCHAR",
    "phone": "VARCHAR",
    "firstName": "VARCHAR",
    "lastName": "VARCHAR",
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
    from {{ source('raw', 'digital__events') }}
    {{ staging_new_deliveries(source('raw', 'digital__events')) }}
),

unnested as (
    select
        *,
        {{ parse_json_payload('record.properties', {"order_id": "VARCHAR"}) }} as property,
        {{ parse_json_payload('record.traits', traits_shape) }} as trait,
    from source
),

renamed as (
    select
        record_key as message_id,
        {{ clean_text('record.type') }} as event_type,
        {{ clean_text('record.anonymousId') }} as anonymous_id,
        {{ clean_text('record.userId') }} as user_id,
        try_cast({{ clean_text('record.userId') }} as bigint) as commerce_customer_id,
        {{ clean_text('record.previousId') }} as previous_id,
        {{ clean_text('record.event') }} as event_name,
        {{ clean_text('record.name') }} as page_name,
        {{ clean_text('property.order_id') }} as order_name,
        {{ clean_text('trait.email') }} as traits_email,
        {{ normalize_email('trait.email') }} as traits_email_normalized,
        {{ clean_text('trait.phone') }} as traits_phone,
        {{ clean_text('trait.firstName') }} as traits_first_name,
        {{ clean_text('trait.lastName') }} as traits_last_name,
        {{ clean_text('record.context.ip') }} as context_ip,
        {{ clean_text('record.context.userAgent') }} as context_user_agent,
        {{ clean_text('record.context.page.url') }} as page_url,
        {{ clean_text('record.context.page.path') }} as page_path,
        {{ clean_text('record.context.device.id') }} as device_id,
        {{ to_utc('record.timestamp') }} as occurred_at,
        {{ to_utc('record.sentAt') }} as sent_at,
        {{ to_utc('record.receivedAt') }} as received_at,
        record.properties as properties,
        record.traits as traits,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from unnested
),

versions as (
    {{ staging_versions_with_held('renamed', 'message_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by message_id
        order by batch_id asc, line_number asc
    ) = 1
)

select * from deduplicated
