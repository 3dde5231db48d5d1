-- One row per Zendesk ticket of a published customer (placed as the timeline places it), its
-- subject redacted.
with

placed as (
    select distinct customer_id, source_record_id as ticket_id,
    from {{ ref('customer_timeline') }}
    where source_system = 'support' and source_entity = 'tickets'
)

select
    placed.customer_id,
    tickets.ticket_id,
    tickets.ticket_status,
    tickets.ticket_status in ('new', 'open', 'pending', 'hold') as is_open,
    tickets.priority,
    tickets.ticket_type,
    tickets.via_channel,
    {{ redact_free_text('tickets.subject') }} as subject,
    tickets.order_name,
    tickets.satisfaction_score,
    tickets.created_at,
    tickets.updated_at,
from {{ ref('stg_support__tickets') }} as tickets
inner join placed using (ticket_id)
