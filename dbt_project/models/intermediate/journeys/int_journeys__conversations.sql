-- One row per customer conversation: a contact and its transfers (PreviousContactId chain),
-- which count as ONE contact in every metric. Its day, channel, queue and intent are its first
-- leg's; handle time adds up every leg's talk + hold + after-contact work; its outcome is
-- handled when any leg reached an agent, else the first leg's (abandoned or contained).
-- A repeat is the same customer's next inbound conversation on the same intent within 7 days
-- (customer_id from the current crosswalk: repeats restate when identities merge).
with

contacts as (
    select contacts.*, attribution.customer_id,
    from {{ ref('int_journeys__contacts') }} as contacts
    left join {{ ref('int_journeys__record_attribution') }} as attribution
        on attribution.record_key = 'contact_center:contact_records:' || contacts.contact_id
),

conversations as (
    select
        conversation_id,
        arg_min(customer_id, initiated_at) filter (where customer_id is not null) as customer_id,
        min(initiated_at) as initiated_at,
        arg_min(channel, initiated_at) as channel,
        arg_min(initiation_method, initiated_at) as initiation_method,
        arg_min(queue_name, initiated_at) as queue_name,
        coalesce(
            arg_min(intent, initiated_at) filter (where intent is not null), 'unknown'
        ) as intent,
        case
            when bool_or(outcome = 'handled') then 'handled'
            else arg_min(outcome, initiated_at)
        end as outcome,
        count(*) as legs,
        count(*) - 1 as transfers,
        sum(coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0)
            + coalesce(after_contact_work_seconds, 0)) filter (where outcome = 'handled')
            as handle_seconds,
        sum(talk_seconds) filter (where outcome = 'handled') as talk_seconds,
        sum(hold_seconds) filter (where outcome = 'handled') as hold_seconds,
        sum(after_contact_work_seconds) filter (where outcome = 'handled')
            as after_contact_work_seconds,
        arg_min(queue_seconds, initiated_at) as first_queue_seconds,
        arg_max(resolution, initiated_at) as last_resolution,
    from contacts
    group by conversation_id
)

select
    conversations.*,
    conversations.initiation_method = 'inbound' as is_inbound,
    exists(
        select 1
        from conversations as later
        where later.customer_id = conversations.customer_id
            and later.intent = conversations.intent
            and later.initiation_method = 'inbound'
            and later.initiated_at > conversations.initiated_at
            and later.initiated_at <= conversations.initiated_at + interval 7 day
            and later.conversation_id <> conversations.conversation_id
    ) as has_repeat_within_7_days,
from conversations
