-- One row per Zendesk ticket of a known customer (through its requester), its subject redacted.
with

identifiers as (
    select * from {{ ref('int_context__customer_identifiers') }}
    where identifier_type = 'support_user_id'
)

select
    identifiers.customer_id,
    tickets.ticket_id,
    tickets.ticket_status,
    tickets.ticket_status in ('new', 'open', 'pending', 'hold') as is_open,
    tickets.priority,
    tickets.ticket_type,
    tickets.via_channel,
    redact_text(tickets.subject) as subject,
    tickets.order_name,
    tickets.satisfaction_score,
    tickets.created_at,
    tickets.updated_at,
from {{ ref('stg_support__tickets') }} as tickets
inner join identifiers on identifiers.identifier_value = tickets.requester_user_id
