-- One row per custom field value of the current version of each Zendesk ticket (ticket_id,
-- custom_field_id). The value is kept as text and as the original JSON (Zendesk values can be
-- strings, numbers, booleans, lists or null).
with

tickets as (
    select
        ticket_id,
        try_cast(custom_fields as json[]) as custom_field_list,
        batch_id,
        source_file,
        line_number,
    from {{ ref('stg_support__tickets') }}
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
