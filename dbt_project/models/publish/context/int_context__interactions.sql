-- One row per recent interaction of a known customer with what was already tried: contacts
-- (channel, intent, how it ended, transfers) and tickets (status, redacted subject). The latest
-- var('context_recent_interactions') per customer, newest first.
with

contacts as (
    select
        customer_id,
        initiated_at as occurred_at,
        'contact_center' as source_system,
        contact_id as source_record_id,
        lower(channel) as channel,
        case when is_transfer then 'transfer' else lower(initiation_method) end as interaction_type,
        intent,
        coalesce(resolution, 'no outcome recorded') as outcome,
    from {{ ref('int_context__contacts') }}
),

tickets as (
    select
        customer_id,
        created_at as occurred_at,
        'support' as source_system,
        ticket_id as source_record_id,
        via_channel as channel,
        'ticket' as interaction_type,
        subject as intent,
        ticket_status as outcome,
    from {{ ref('int_context__tickets') }}
),

interactions as (
    select * from contacts
    union all by name
    select * from tickets
)

select *,
from interactions
qualify row_number() over (
    partition by customer_id order by occurred_at desc, source_record_id
) <= {{ var('context_recent_interactions', 10) }}
