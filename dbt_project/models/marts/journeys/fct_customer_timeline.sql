-- One row per customer event across all systems (published as `customer_timeline`): contacts
-- and their transfers, Contact Lens analyses, web and app events, orders and their shipping and
-- refunds, invoices and charges, tickets and their status changes, carrier tracking updates.
-- Every event is kept: one that cannot be attributed has a null customer_id and says why in
-- unattributed_reason; attribution_path says how an attributed one was placed.
-- The AI agents' own interactions (source ai_agent, int_journeys__agent_interactions) are
-- appended: they name their customer, so they need no attribution by identifier.
-- customer_id comes from the current crosswalk, so a customer's history restates when
-- identities merge or split.
select
    events.event_id,
    attribution.customer_id,
    events.occurred_at,
    events.source_system,
    events.source_entity,
    events.source_record_id,
    events.source_detail_id,
    events.channel,
    events.event_type,
    events.summary,
    journeys.journey_id,
    attribution.attribution_path,
    case
        when attribution.customer_id is null
            then coalesce(attribution.unattributed_reason, 'no_identifier')
    end as unattributed_reason,
    events.is_record_event,
    cast(events.order_id as varchar) as order_id,
    events.invoice_id,
    events.ticket_id,
    events.conversation_id,
    events.intent,
from {{ ref('int_journeys__events') }} as events
left join {{ ref('int_journeys__record_attribution') }} as attribution using (record_key)
left join {{ ref('int_journeys__record_journeys') }} as journeys using (record_key)

union all

select * from {{ ref('int_journeys__agent_interactions') }}
