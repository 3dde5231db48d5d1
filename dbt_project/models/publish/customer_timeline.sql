-- Candidate of the published `customer_timeline`: one row per event of a customer who was not
-- erased (marts.fct_customer_timeline), its summary redacted. Events no customer could be found
-- for stay in the mart with their reason; they are not published (nobody's timeline).
select
    timeline.customer_id,
    timeline.event_id,
    timeline.occurred_at,
    timeline.source_system,
    timeline.source_entity,
    timeline.source_record_id,
    timeline.channel,
    timeline.event_type,
    -- redacted once per distinct text and rule version (privacy/redacted_timeline_summaries);
    -- a text that is not there (never, after that model ran) is redacted here
    coalesce(redacted.redacted_summary, redact_text(timeline.summary)) as summary,
    timeline.journey_id,
    timeline.attribution_path,
    timeline.order_id,
    timeline.invoice_id,
    timeline.ticket_id,
    timeline.conversation_id,
    timeline.intent,
from {{ ref('fct_customer_timeline') }} as timeline
left join {{ ref('redacted_timeline_summaries') }} as redacted
    on sha256(timeline.summary) = redacted.text_hash
    and redacted.redaction_version = redaction_version()
where timeline.customer_id is not null
    and timeline.customer_id not in {{ erased_customer_ids() }}
