-- One row per Zendesk ticket (id): the latest version by updated_at (then latest batch, then
-- last line). The order an agent referenced is read from the ticket's custom fields.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='ticket_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set order_name_field_id = var('support_order_name_field_id', none) %}
{%- set payload_shape = {
    "external_id": "VARCHAR",
    "via": {"channel": "VARCHAR"},
    "subject": "VARCHAR",
    "description": "VARCHAR",
    "type": "VARCHAR",
    "priority": "VARCHAR",
    "status": "VARCHAR",
    "requester_id": "VARCHAR",
    "assignee_id": "VARCHAR",
    "tags": ["VARCHAR"],
    "custom_fields": "JSON",
    "satisfaction_rating": {"score": "VARCHAR"},
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
    from {{ source('raw', 'support__tickets') }}
    {{ staging_new_deliveries(source('raw', 'support__tickets')) }}
),

unnested as (
    select
        *,
        {{ parse_json_payload('record.custom_fields', [{"id": "VARCHAR", "value": "VARCHAR"}]) }}
            as custom_field_list,
    from source
),

order_field as (
    select
        *,
        {%- if order_name_field_id is not none %}
        list_extract(
            list_filter(custom_field_list, lambda f: trim(f.id) = '{{ order_name_field_id }}'), 1
        ).value as order_name_as_typed,
        {%- else %}
        -- no configured field id: the first custom field whose value reads as an order name
        list_extract(
            list_filter(custom_field_list, lambda f: {{ normalize_order_name('f.value') }} is not null), 1
        ).value as order_name_as_typed,
        {%- endif %}
    from unnested
),

renamed as (
    select
        record_key as ticket_id,
        {{ clean_text('record.external_id') }} as external_id,
        {{ clean_text('record.via.channel') }} as via_channel,
        {{ clean_text('record.subject') }} as subject,
        {{ clean_text('record.description') }} as description,
        {{ clean_text('record.type') }} as ticket_type,
        {{ clean_text('record.priority') }} as priority,
        {{ clean_text('record.status') }} as ticket_status,
        {{ clean_text('record.requester_id') }} as requester_user_id,
        {{ clean_text('record.assignee_id') }} as assignee_user_id,
        record.tags as tags,
        {{ clean_text('order_name_as_typed') }} as order_name_as_typed,
        {{ normalize_order_name('order_name_as_typed') }} as order_name,
        {{ clean_text('record.satisfaction_rating.score') }} as satisfaction_score,
        record.custom_fields as custom_fields,
        {{ to_utc('record.created_at') }} as created_at,
        {{ to_utc('record.updated_at') }} as updated_at,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from order_field
),

versions as (
    {{ staging_versions_with_held('renamed', 'ticket_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by ticket_id
        order by updated_at desc nulls last, batch_id desc, line_number desc
    ) = 1
)

select * from deduplicated
