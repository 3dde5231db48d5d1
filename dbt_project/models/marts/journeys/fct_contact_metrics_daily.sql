-- Contact-centre metrics by day (of the conversation's start, UTC), channel, queue and intent.
-- A conversation (a contact and its transfers) counts once. Definitions (and their sources) are
-- in _journeys__models.yml.
with

conversations as (
    select * from {{ ref('int_journeys__conversations') }}
),

analysed as (
    select contacts.conversation_id, avg(transcripts.customer_overall_sentiment) as customer_sentiment,
    from {{ ref('int_journeys__contacts') }} as contacts
    inner join {{ ref('stg_contact_center__transcripts') }} as transcripts using (contact_id)
    group by contacts.conversation_id
)

select
    cast(conversations.initiated_at as date) as contact_date,
    conversations.channel,
    coalesce(conversations.queue_name, '(none)') as queue_name,
    conversations.intent,
    count(*) as contacts,
    count(*) filter (where conversations.is_inbound) as inbound_contacts,
    count(*) filter (where conversations.outcome = 'handled') as handled_contacts,
    count(*) filter (where conversations.outcome = 'abandoned') as abandoned_contacts,
    -- self-service containment is of inbound contacts: an API-initiated notification that no
    -- agent handles is not a customer served by the IVR
    count(*) filter (where conversations.is_inbound and conversations.outcome = 'contained')
        as contained_contacts,
    sum(conversations.transfers) as transfers,
    count(*) filter (where conversations.customer_id is not null) as attributed_contacts,
    count(*) filter (
        where conversations.is_inbound and conversations.outcome = 'handled'
            and conversations.customer_id is not null
    ) as fcr_eligible_contacts,
    count(*) filter (
        where conversations.is_inbound and conversations.outcome = 'handled'
            and conversations.customer_id is not null
            and not conversations.has_repeat_within_7_days
    ) as first_contact_resolutions,
    count(*) filter (
        where conversations.is_inbound and conversations.customer_id is not null
            and conversations.has_repeat_within_7_days
    ) as repeated_contacts,
    count(*) filter (where conversations.is_inbound and conversations.customer_id is not null)
        as repeat_eligible_contacts,
    -- rates: null when nothing is eligible, never a division by zero
    round(count(*) filter (where conversations.outcome = 'abandoned')
        / nullif(count(*) filter (where conversations.outcome in ('handled', 'abandoned')), 0), 4)
        as abandonment_rate,
    round(count(*) filter (where conversations.is_inbound and conversations.outcome = 'contained')
        / nullif(count(*) filter (where conversations.is_inbound), 0), 4) as containment_rate,
    round(count(*) filter (
            where conversations.is_inbound and conversations.outcome = 'handled'
                and conversations.customer_id is not null
                and not conversations.has_repeat_within_7_days)
        / nullif(count(*) filter (
            where conversations.is_inbound and conversations.outcome = 'handled'
                and conversations.customer_id is not null), 0), 4) as first_contact_resolution_rate,
    round(count(*) filter (
            where conversations.is_inbound and conversations.customer_id is not null
                and conversations.has_repeat_within_7_days)
        / nullif(count(*) filter (
            where conversations.is_inbound and conversations.customer_id is not null), 0), 4)
        as repeat_contact_rate,
    round(avg(conversations.handle_seconds) filter (where conversations.outcome = 'handled'), 1)
        as average_handle_time_seconds,
    round(avg(conversations.talk_seconds) filter (where conversations.outcome = 'handled'), 1)
        as average_talk_seconds,
    round(avg(conversations.hold_seconds) filter (where conversations.outcome = 'handled'), 1)
        as average_hold_seconds,
    round(avg(conversations.after_contact_work_seconds)
        filter (where conversations.outcome = 'handled'), 1) as average_after_contact_work_seconds,
    round(avg(conversations.first_queue_seconds) filter (where conversations.outcome = 'handled'), 1)
        as average_speed_of_answer_seconds,
    round(avg(analysed.customer_sentiment), 2) as average_customer_sentiment,
from conversations
left join analysed using (conversation_id)
group by all
