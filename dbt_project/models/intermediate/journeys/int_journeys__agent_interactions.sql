-- One timeline event per interaction an AI agent recorded (source `ai_agent`, this project's own
-- interaction log), shaped as fct_customer_timeline's rows. The agent named a customer id, so
-- attribution is that id followed through merges to the id in use now
-- (bdg_customer_id_redirects); an id that was retired, or never issued, leaves the event
-- unattributed with its reason. The summary says what was done, which guardrails were
-- consulted and which release was read, so the next agent sees what was already tried.
-- What the agent wrote is redacted where it enters the summary (macros/redact_free_text.sql).
with

interactions as (
    select * from {{ ref('stg_ai_agent__interactions') }}
),

redirects as (
    select * from {{ ref('bdg_customer_id_redirects') }}
)

select
    md5('ai_agent:interactions:' || interactions.interaction_id || ':ai_agent_interaction:')
        as event_id,
    redirects.current_customer_id as customer_id,
    interactions.recorded_at as occurred_at,
    'ai_agent' as source_system,
    'interactions' as source_entity,
    interactions.interaction_id as source_record_id,
    cast(null as varchar) as source_detail_id,
    'ai_agent' as channel,
    'ai_agent_interaction' as event_type,
    concat_ws(' ',
        'AI agent (' || {{ redact_free_text('interactions.consumer') }} || '):',
        {{ redact_free_text('interactions.action') }},
        case
            when len(interactions.guardrails_consulted) > 0
                then '[guardrails: '
                    || {{ redact_free_text("array_to_string(interactions.guardrails_consulted, ', ')") }} || ']'
        end,
        case when interactions.summary is not null
            then '- ' || {{ redact_free_text('interactions.summary') }} end,
        '(read release ' || coalesce(interactions.publication_id, 'unknown') || ')'
    ) as summary,
    cast(null as varchar) as journey_id,
    case
        when redirects.current_customer_id is null then null
        when redirects.current_customer_id = interactions.customer_id then 'ai_agent:customer_id'
        else 'ai_agent:customer_id_merged'
    end as attribution_path,
    case
        when redirects.customer_id is null then 'unknown_customer_id'
        when redirects.current_customer_id is null then 'customer_id_retired'
    end as unattributed_reason,
    true as is_record_event,
    cast(null as varchar) as order_id,
    cast(null as varchar) as invoice_id,
    cast(null as varchar) as ticket_id,
    cast(null as varchar) as conversation_id,
    cast(null as varchar) as intent,
from interactions
left join redirects on interactions.customer_id = redirects.customer_id
