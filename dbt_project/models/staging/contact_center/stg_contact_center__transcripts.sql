-- One row per analysed Amazon Connect contact (ContactId): Contact Lens output from the latest
-- batch that delivered it (it carries no modification time), then the last line.
-- The transcript text is what people said and can hold card numbers, emails, phones and
-- addresses: it is kept as JSON here and must not be published unredacted.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='contact_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "Channel": "VARCHAR",
    "LanguageCode": "VARCHAR",
    "Categories": {"MatchedCategories": ["VARCHAR"]},
    "ConversationCharacteristics": {
        "Sentiment": {"OverallSentiment": {"CUSTOMER": "VARCHAR", "AGENT": "VARCHAR"}},
        "ContactSummary": "JSON",
    },
    "Transcript": "JSON",
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
    from {{ source('raw', 'contact_center__transcripts') }}
    {{ staging_new_deliveries(source('raw', 'contact_center__transcripts')) }}
),

renamed as (
    select
        record_key as contact_id,
        {{ clean_text('record.Channel') }} as channel,
        {{ clean_text('record.LanguageCode') }} as language_code,
        record.Categories.MatchedCategories as matched_categories,
        try_cast(record.ConversationCharacteristics.Sentiment.OverallSentiment.CUSTOMER as double)
            as customer_overall_sentiment,
        try_cast(record.ConversationCharacteristics.Sentiment.OverallSentiment.AGENT as double)
            as agent_overall_sentiment,
        record.ConversationCharacteristics.ContactSummary as contact_summary,
        record.Transcript as transcript,
        coalesce(json_array_length(record.Transcript), 0)::bigint as transcript_turn_count,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from source
),

versions as (
    {{ staging_versions_with_held('renamed', 'contact_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by contact_id
        order by batch_id desc, line_number desc
    ) = 1
)

select * from deduplicated
