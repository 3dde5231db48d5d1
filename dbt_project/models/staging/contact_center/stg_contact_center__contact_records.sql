-- One row per Amazon Connect contact (ContactId): the latest version by LastUpdateTimestamp
-- (then latest batch, then last line). A transfer is a separate contact pointing back through
-- previous_contact_id / initial_contact_id.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='contact_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "InitialContactId": "VARCHAR",
    "PreviousContactId": "VARCHAR",
    "Channel": "VARCHAR",
    "InitiationMethod": "VARCHAR",
    "InitiationTimestamp": "VARCHAR",
    "ConnectedToSystemTimestamp": "VARCHAR",
    "DisconnectTimestamp": "VARCHAR",
    "LastUpdateTimestamp": "VARCHAR",
    "CustomerEndpoint": {"Type": "VARCHAR", "Address": "VARCHAR"},
    "SystemEndpoint": {"Type": "VARCHAR", "Address": "VARCHAR"},
    "Queue": "JSON",
    "Agent": "JSON",
    "DisconnectReason": "VARCHAR",
    "Attributes": "JSON",
} %}
{%- set queue_shape = {
    "Name": "VARCHAR",
    "EnqueueTimestamp": "VARCHAR",
    "DequeueTimestamp": "VARCHAR",
    "Duration": "VARCHAR",
} %}
{%- set agent_shape = {
    "Username": "VARCHAR",
    "ConnectedToAgentTimestamp": "VARCHAR",
    "AgentInteractionDuration": "VARCHAR",
    "CustomerHoldDuration": "VARCHAR",
    "AfterContactWorkDuration": "VARCHAR",
} %}
{%- set attributes_shape = {
    "crm_contact_id": "VARCHAR",
    "customer_email": "VARCHAR",
    "order_number": "VARCHAR",
    "intent": "VARCHAR",
    "resolution": "VARCHAR",
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
    from {{ source('raw', 'contact_center__contact_records') }}
    {{ staging_new_deliveries(source('raw', 'contact_center__contact_records')) }}
),

unnested as (
    -- second, narrow parse of the optional nested objects (absent for self-service/abandoned)
    select
        *,
        {{ parse_json_payload('record.Queue', queue_shape) }} as queue,
        {{ parse_json_payload('record.Agent', agent_shape) }} as agent,
        {{ parse_json_payload('record.Attributes', attributes_shape) }} as attribute,
    from source
),

renamed as (
    select
        record_key as contact_id,
        {{ clean_text('record.InitialContactId') }} as initial_contact_id,
        {{ clean_text('record.PreviousContactId') }} as previous_contact_id,
        {{ clean_text('record.Channel') }} as channel,
        {{ clean_text('record.InitiationMethod') }} as initiation_method,
        {{ to_utc('record.InitiationTimestamp') }} as initiated_at,
        {{ to_utc('record.ConnectedToSystemTimestamp') }} as connected_to_system_at,
        {{ to_utc('record.DisconnectTimestamp') }} as disconnected_at,
        {{ to_utc('record.LastUpdateTimestamp') }} as last_updated_at,
        {{ clean_text('record.CustomerEndpoint.Type') }} as customer_endpoint_type,
        {{ clean_text('record.CustomerEndpoint.Address') }} as customer_endpoint_address,
        {{ clean_text('record.SystemEndpoint.Type') }} as system_endpoint_type,
        {{ clean_text('record.SystemEndpoint.Address') }} as system_endpoint_address,
        record.Queue is not null as has_queue,
        {{ clean_text('queue.Name') }} as queue_name,
        {{ to_utc('queue.EnqueueTimestamp') }} as enqueued_at,
        {{ to_utc('queue.DequeueTimestamp') }} as dequeued_at,
        try_cast(queue.Duration as double) as queue_duration_seconds,
        record.Agent is not null as has_agent,
        {{ clean_text('agent.Username') }} as agent_username,
        {{ to_utc('agent.ConnectedToAgentTimestamp') }} as connected_to_agent_at,
        try_cast(agent.AgentInteractionDuration as double) as agent_interaction_duration_seconds,
        try_cast(agent.CustomerHoldDuration as double) as customer_hold_duration_seconds,
        try_cast(agent.AfterContactWorkDuration as double) as after_contact_work_duration_seconds,
        {{ clean_text('record.DisconnectReason') }} as disconnect_reason,
        {{ clean_text('attribute.crm_contact_id') }} as crm_contact_id,
        {{ clean_text('attribute.customer_email') }} as customer_email,
        {{ normalize_email('attribute.customer_email') }} as customer_email_normalized,
        {{ clean_text('attribute.order_number') }} as order_number,
        {{ normalize_order_name('attribute.order_number') }} as order_name,
        {{ clean_text('attribute.intent') }} as intent,
        {{ clean_text('attribute.resolution') }} as resolution,
        record.Attributes as attributes,
        record.Queue as queue,
        record.Agent as agent,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from unnested
),

versions as (
    {{ staging_versions_with_held('renamed', 'contact_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by contact_id
        order by last_updated_at desc nulls last, batch_id desc, line_number desc
    ) = 1
)

select * from deduplicated
