-- One row per tracking detail (carrier checkpoint) carried by each EasyPost event
-- (tracking_event_id, detail_index). Every tracker.updated event repeats the tracker's whole
-- history, so the same checkpoint appears once per event that carried it; use
-- (tracker_id, occurred_at, detail_status) to collapse them.
-- Incremental by parent (macros/staging_incremental.sql): a run unnests the tracking events whose
-- version arrived since the last build and replaces all their rows.
-- depends_on: {{ source('raw', 'logistics__tracking_events') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_parents',
    reread_parents={'model': 'stg_logistics__tracking_events', 'key': 'tracking_event_id', 'raw': 'logistics__tracking_events'},
    on_schema_change='fail',
) }}
{%- set checkpoint_shape = {
    "datetime": "VARCHAR",
    "message": "VARCHAR",
    "status": "VARCHAR",
    "tracking_location": {"city": "VARCHAR", "state": "VARCHAR", "country": "VARCHAR", "zip": "VARCHAR"},
} %}

with

events as (
    select
        tracking_event_id,
        tracker_id,
        tracking_code,
        tracking_code_normalized,
        try_cast(tracking_details as json[]) as detail_list,
        batch_id,
        source_file,
        line_number,
    from {{ ref('stg_logistics__tracking_events') }}
    {{ staging_reread_parents_filter() }}
),

unnested as (
    select
        tracking_event_id,
        tracker_id,
        tracking_code,
        tracking_code_normalized,
        unnest(detail_list) as detail,
        generate_subscripts(detail_list, 1) as detail_index,
        batch_id,
        source_file,
        line_number,
    from events
),

parsed as (
    select
        *,
        {{ parse_json_payload('detail', checkpoint_shape) }} as checkpoint,
    from unnested
),

renamed as (
    select
        tracking_event_id,
        detail_index,
        tracker_id,
        tracking_code,
        tracking_code_normalized,
        {{ to_utc('checkpoint.datetime') }} as occurred_at,
        {{ clean_text('checkpoint.message') }} as message,
        {{ clean_text('checkpoint.status') }} as detail_status,
        {{ clean_text('checkpoint.tracking_location.city') }} as location_city,
        {{ clean_text('checkpoint.tracking_location.state') }} as location_state,
        {{ clean_text('checkpoint.tracking_location.country') }} as location_country,
        {{ clean_text('checkpoint.tracking_location.zip') }} as location_zip,
        batch_id,
        source_file,
        line_number,
    from parsed
)

select * from renamed
