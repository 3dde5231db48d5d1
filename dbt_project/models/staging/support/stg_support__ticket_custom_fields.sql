-- One row per custom field value of the current version of each Zendesk ticket (ticket_id,
-- custom_field_id). The value is kept as text and as the original JSON (Zendesk values can be
-- strings, numbers, booleans, lists or null).
-- Incremental by parent (macros/staging_incremental.sql): a run unnests the tickets whose
-- version arrived since the last build and replaces all their rows.
-- depends_on: {{ source('raw', 'support__tickets') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_parents',
    reread_parents={'model': 'stg_support__tickets', 'key': 'ticket_id', 'raw': 'support__tickets'},
    on_schema_change='fail',
) }}
with

tickets as (
    select
        ticket_id,
        try_cast(custom_fields as json[]) as custom_field_list,
        batch_id,
        source_file,
        line_number,
    from {{ ref('stg_support__tickets') }}
    {{ staging_reread_parents_filter() }}
),

unnested as (
    select
        ticket_id,
        unnest(custom_field_list) as custom_field,
        generate_subscripts(custom_field_list, 1) as custom_field_index,
        batch_id,
        source_file,
        line_number,
    from tickets
),

renamed as (
    select
        ticket_id,
        {{ clean_text("custom_field->>'$.id'") }} as custom_field_id,
        custom_field_index,
        {{ clean_text("custom_field->>'$.value'") }} as custom_field_value,
        case
            when json_type(custom_field -> '$.value') <> 'NULL' then custom_field -> '$.value'
        end as custom_field_value_json,
        batch_id,
        source_file,
        line_number,
    from unnested
)

select * from renamed
