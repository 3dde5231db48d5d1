-- One row per distinct delivered version of each Zendesk ticket (ticket_id, updated_at): its
-- status and satisfaction score at that time. stg_support__tickets keeps only the latest
-- version; this history is what shows a ticket's status changes and reopenings (solved ->
-- open). Versions are only as fine as the extracts: two changes between two extractions show as
-- one. A late, older re-delivery is the same version again and collapses here.
{%- set payload_shape = {
    "status": "VARCHAR",
    "satisfaction_rating": {"score": "VARCHAR"},
    "assignee_id": "VARCHAR",
    "created_at": "VARCHAR",
    "updated_at": "VARCHAR",
} %}

with

source as (
    select
        record_key,
        {{ parse_json_payload('payload', payload_shape) }} as record,
        batch_id,
        source_file,
        line_number,
    from {{ source('raw', 'support__tickets') }}
),

renamed as (
    select
        record_key as ticket_id,
        {{ clean_text('record.status') }} as ticket_status,
        {{ clean_text('record.satisfaction_rating.score') }} as satisfaction_score,
        {{ clean_text('record.assignee_id') }} as assignee_user_id,
        {{ to_utc('record.created_at') }} as created_at,
        {{ to_utc('record.updated_at') }} as updated_at,
        batch_id,
        source_file,
        line_number,
    from source
),

deduplicated as (
    -- the first delivery of each version keeps its lineage
    select * from renamed
    where updated_at is not null
    qualify row_number() over (
        partition by ticket_id, updated_at
        order by batch_id asc, line_number asc
    ) = 1
)

select
    *,
    lag(ticket_status) over (partition by ticket_id order by updated_at) as previous_status,
    lag(satisfaction_score) over (partition by ticket_id order by updated_at) as previous_score,
    row_number() over (partition by ticket_id order by updated_at) as version_number,
from deduplicated
