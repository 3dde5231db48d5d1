-- One row per Amazon Connect contact (ContactId), classified for the timeline, journeys and
-- the contact metrics. A transfer makes a new ContactId pointing back through
-- PreviousContactId / InitialContactId; `conversation_id` (the InitialContactId, or the
-- ContactId of a first contact) groups the legs of one conversation, which counts as ONE
-- customer contact in the metrics. A leg that lacks InitialContactId is walked back through its
-- PreviousContactId chain to the first leg, so it still joins its conversation.
--
-- outcome: `handled` (an agent took it), `abandoned` (queued, the customer hung up before an
-- agent), `contained` (self-service: the contact flow ended it with neither queue nor agent).
with recursive

contacts as (
    select * from {{ ref('stg_contact_center__contact_records') }}
),

orders as (
    select order_id, order_name from {{ ref('int_journeys__orders') }}
),

chain as (
    -- each leg walked back one PreviousContactId at a time until a leg names the
    -- InitialContactId, has no previous leg, or points to a leg not (yet) delivered
    select contact_id, contact_id as leg_id, initial_contact_id, previous_contact_id, 0 as depth,
    from contacts
    union all
    select chain.contact_id, previous.contact_id, previous.initial_contact_id,
        previous.previous_contact_id, chain.depth + 1,
    from chain
    inner join contacts as previous on previous.contact_id = chain.previous_contact_id
    where chain.initial_contact_id is null
        and chain.depth < 50  -- a PreviousContactId cycle in bad data ends here
),

conversations as (
    select
        contact_id,
        arg_max(
            coalesce(initial_contact_id, previous_contact_id, leg_id), depth
        ) as conversation_id,
    from chain
    group by contact_id
)

select
    contacts.contact_id,
    conversations.conversation_id,
    contacts.previous_contact_id,
    contacts.previous_contact_id is not null as is_transfer_leg,
    lower(contacts.channel) as channel,
    lower(contacts.initiation_method) as initiation_method,
    contacts.initiation_method = 'INBOUND' and contacts.previous_contact_id is null
        as is_inbound_first_contact,
    contacts.initiated_at,
    contacts.disconnected_at,
    contacts.queue_name,
    contacts.enqueued_at,
    contacts.dequeued_at,
    contacts.connected_to_agent_at,
    contacts.agent_username,
    case
        when contacts.has_agent then 'handled'
        when contacts.has_queue then 'abandoned'
        else 'contained'
    end as outcome,
    contacts.agent_interaction_duration_seconds as talk_seconds,
    contacts.customer_hold_duration_seconds as hold_seconds,
    contacts.after_contact_work_duration_seconds as after_contact_work_seconds,
    -- wait in queue until an agent answered (handled) or the customer gave up (abandoned)
    contacts.queue_duration_seconds as queue_seconds,
    contacts.disconnect_reason,
    contacts.intent,
    contacts.resolution,
    contacts.crm_contact_id,
    contacts.customer_email_normalized,
    contacts.customer_endpoint_type,
    contacts.customer_endpoint_address,
    contacts.order_number as order_number_as_typed,
    contacts.order_name,
    orders.order_id,
from contacts
inner join conversations using (contact_id)
left join orders on contacts.order_name = orders.order_name
