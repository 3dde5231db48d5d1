-- One row per Amazon Connect contact (ContactId), classified for the timeline, journeys and
-- the contact metrics. A transfer makes a new ContactId pointing back through
-- PreviousContactId / InitialContactId; `conversation_id` (the InitialContactId, or the
-- ContactId of a first contact) groups the legs of one conversation, which counts as ONE
-- customer contact in the metrics.
--
-- outcome: `handled` (an agent took it), `abandoned` (queued, the customer hung up before an
-- agent), `contained` (self-service: the contact flow ended it with neither queue nor agent).
with

contacts as (
    select * from {{ ref('stg_contact_center__contact_records') }}
),

orders as (
    select order_id, order_name from {{ ref('int_journeys__orders') }}
)

select
    contacts.contact_id,
    coalesce(contacts.initial_contact_id, contacts.contact_id) as conversation_id,
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
left join orders on contacts.order_name = orders.order_name
