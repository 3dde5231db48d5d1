-- One row per EasyPost tracker webhook event (evt_ id). Events are immutable; repeats are
-- removed keeping the first delivery (earliest batch, then first line). Each event carries the
-- tracker's state at that moment (result.*), flattened here, and its whole tracking history,
-- kept as JSON and unnested by stg_logistics__tracking_details.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='tracking_event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "description": "VARCHAR",
    "created_at": "VARCHAR",
    "result": {
        "id": "VARCHAR",
        "tracking_code": "VARCHAR",
        "carrier": "VARCHAR",
        "status": "VARCHAR",
        "status_detail": "VARCHAR",
        "est_delivery_date": "VARCHAR",
        "updated_at": "VARCHAR",
        "tracking_details": "JSON",
    },
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
    from {{ source('raw', 'logistics__tracking_events') }}
    {{ staging_new_deliveries(source('raw', 'logistics__tracking_events')) }}
),

renamed as (
    select
        record_key as tracking_event_id,
        {{ clean_text('record.description') }} as event_description,
        {{ to_utc('record.created_at') }} as created_at,
        {{ clean_text('record.result.id') }} as tracker_id,
        {{ clean_text('record.result.tracking_code') }} as tracking_code,
        {{ normalize_tracking_code('record.result.tracking_code') }} as tracking_code_normalized,
        {{ clean_text('record.result.carrier') }} as carrier,
        {{ clean_text('record.result.status') }} as tracker_status,
        {{ clean_text('record.result.status_detail') }} as tracker_status_detail,
        {{ to_utc('record.result.est_delivery_date') }} as estimated_delivery_at,
        {{ to_utc('record.result.updated_at') }} as tracker_updated_at,
        record.result.tracking_details as tracking_details,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from source
),

versions as (
    {{ staging_versions_with_held('renamed', 'tracking_event_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by tracking_event_id
        order by batch_id asc, line_number asc
    ) = 1
)

select * from deduplicated
