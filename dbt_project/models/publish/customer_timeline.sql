-- Candidate of the published `customer_timeline`: one row per event of a customer who was not
-- erased (marts.fct_customer_timeline), whose summaries are composed with each free text
-- redacted (macros/redact_free_text.sql). Events no customer could be found for stay in the mart
-- with their reason; they are not published (nobody's timeline).
select
    timeline.customer_id,
    timeline.event_id,
    timeline.occurred_at,
    timeline.source_system,
    timeline.source_entity,
    timeline.source_record_id,
    timeline.channel,
    timeline.event_type,
    timeline.summary,
    timeline.journey_id,
    timeline.attribution_path,
    timeline.order_id,
    timeline.invoice_id,
    timeline.ticket_id,
    timeline.conversation_id,
    timeline.intent,
from {{ ref('fct_customer_timeline') }} as timeline
where timeline.customer_id is not null
    and timeline.customer_id not in {{ erased_customer_ids() }}
