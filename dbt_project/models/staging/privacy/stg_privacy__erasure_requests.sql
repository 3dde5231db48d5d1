-- One row per erasure request (request_id). Requests are immutable; repeats are removed keeping
-- the first delivery (earliest batch, then first line). This model holds the very identifiers
-- to be erased: it feeds suppression and must never be published.
{%- set payload_shape = {
    "identifier_type": "VARCHAR",
    "identifier_value": "VARCHAR",
    "requested_at": "VARCHAR",
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
    from {{ source('raw', 'privacy__erasure_requests') }}
),

renamed as (
    select
        record_key as erasure_request_id,
        lower({{ clean_text('record.identifier_type') }}) as identifier_type,
        {{ clean_text('record.identifier_value') }} as identifier_value,
        -- emails compare trimmed and lower-cased everywhere; other identifier types are
        -- normalised by identity resolution (phones to E.164 and so on)
        case
            when lower({{ clean_text('record.identifier_type') }}) = 'email'
                then {{ normalize_email('record.identifier_value') }}
            else {{ clean_text('record.identifier_value') }}
        end as identifier_value_normalized,
        {{ to_utc('record.requested_at') }} as requested_at,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from source
),

deduplicated as (
    select * from renamed
    qualify row_number() over (
        partition by erasure_request_id
        order by batch_id asc, line_number asc
    ) = 1
)

select * from deduplicated
