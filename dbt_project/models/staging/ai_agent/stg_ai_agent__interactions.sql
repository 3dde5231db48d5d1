-- One row per interaction an AI agent recorded (interaction_id), from this project's own
-- append-only log (customer_truth/interaction_log.py). Lines are immutable; a line loaded twice
-- keeps its first load. The summary was redacted before it was written; the publish layer
-- redacts timeline summaries again all the same.
{%- set payload_shape = {
    "interaction_id": "VARCHAR",
    "customer_id": "VARCHAR",
    "recorded_at": "VARCHAR",
    "consumer": "VARCHAR",
    "action": "VARCHAR",
    "guardrails_consulted": ["VARCHAR"],
    "publication_id": "VARCHAR",
    "summary": "VARCHAR",
} %}

with

source as (
    select
        record_key,
        {{ parse_json_payload('payload', payload_shape) }} as record,
        batch_id,
        source_file,
        line_number,
        loaded_at,
    from {{ source('raw', 'ai_agent__interactions') }}
),

renamed as (
    select
        record_key as interaction_id,
        {{ clean_text('record.customer_id') }} as customer_id,
        {{ to_utc('record.recorded_at') }} as recorded_at,
        {{ clean_text('record.consumer') }} as consumer,
        {{ clean_text('record.action') }} as action,
        coalesce(record.guardrails_consulted, []) as guardrails_consulted,
        {{ clean_text('record.publication_id') }} as publication_id,
        {{ clean_text('record.summary') }} as summary,
        batch_id,
        source_file,
        line_number,
        loaded_at,
    from source
),

deduplicated as (
    select * from renamed
    qualify row_number() over (
        partition by interaction_id order by loaded_at asc, line_number asc
    ) = 1
)

select * from deduplicated
