-- One row per event-bearing source record (record_key): the customer its events belong to,
-- the path that decided it, or why none did. Paths, most specific first (rank):
--   contact records: 1 CRM contact id in the contact attributes (authenticated caller),
--     2 the order named in `order_number`, 3 the pre-chat email or the email endpoint,
--     4 the caller's phone; then 5 the other legs of the same conversation (a transfer)
--   digital events: 1 userId, 2 anonymousId (linked by identify/alias), 3 identify traits email
--   orders: int_journeys__orders (Shopify customer, email, phone, storefront anonymousId)
--   invoices and charges: 1 Stripe customer, 2 the customer email / billing email
--   tickets: 1 requester (Zendesk user), 2 the order name typed in the ticket's order field
--   tracking events: the order whose fulfillment carried the code at the tracker's time
--   transcripts: their contact record
-- An identifier several customers hold never decides alone (see resolve_references).
with

contacts as (
    select * from {{ ref('int_journeys__contacts') }}
),

orders as (
    select * from {{ ref('int_journeys__orders') }}
),

subject_references as (
    select * from {{ ref('int_journeys__subject_references') }}
),

identifiers as (
    select identifier_type, identifier_value, customer_id, customer_count,
    from {{ ref('int_journeys__known_identifiers') }}
    union all
    select 'order_id', cast(order_id as varchar), customer_id, 1,
    from orders where customer_id is not null
),

{{ resolve_references('subject_references', 'identifiers') }},

direct as (
    -- every record that can carry identifiers, resolved or not
    select subject_key as record_key, customer_id, attribution_path, unattributed_reason,
    from resolved_references
),

contact_records as (
    select
        'contact_center:contact_records:' || contacts.contact_id as record_key,
        contacts.contact_id,
        contacts.conversation_id,
        direct.customer_id,
        direct.attribution_path,
        coalesce(direct.unattributed_reason, 'no_identifier') as unattributed_reason,
    from contacts
    left join direct on direct.record_key = 'contact_center:contact_records:' || contacts.contact_id
),

conversations as (
    -- the legs of one conversation are one caller: a leg without its own path takes the
    -- conversation's customer when its attributed legs agree on one
    select conversation_id, min(customer_id) as customer_id,
    from contact_records
    where customer_id is not null
    group by conversation_id
    having count(distinct customer_id) = 1
),

contacts_resolved as (
    select
        contact_records.record_key,
        contact_records.contact_id,
        coalesce(contact_records.customer_id, conversations.customer_id) as customer_id,
        case
            when contact_records.customer_id is not null then contact_records.attribution_path
            when conversations.customer_id is not null then 'transfer_chain'
        end as attribution_path,
        case
            when coalesce(contact_records.customer_id, conversations.customer_id) is null
                then contact_records.unattributed_reason
        end as unattributed_reason,
    from contact_records
    left join conversations using (conversation_id)
),

transcripts as (
    select
        'contact_center:transcripts:' || transcripts.contact_id as record_key,
        contacts_resolved.customer_id,
        case when contacts_resolved.customer_id is not null
            then 'contact:' || contacts_resolved.attribution_path end as attribution_path,
        case
            when contacts_resolved.record_key is null then 'contact_record_missing'
            else contacts_resolved.unattributed_reason
        end as unattributed_reason,
    from {{ ref('stg_contact_center__transcripts') }} as transcripts
    left join contacts_resolved using (contact_id)
),

shipment_events as (
    select
        'logistics:tracking_events:' || events.tracking_event_id as record_key,
        shipments.customer_id,
        shipments.attribution_path,
        case
            when shipments.customer_id is null
                then coalesce(shipments.unattributed_reason, 'no_identifier')
        end as unattributed_reason,
    from {{ ref('stg_logistics__tracking_events') }} as events
    left join {{ ref('int_journeys__shipments') }} as shipments using (tracker_id)
),

order_records as (
    select
        'commerce:orders:' || cast(order_id as varchar) as record_key,
        customer_id,
        attribution_path,
        unattributed_reason,
    from orders
)

select record_key, customer_id, attribution_path, unattributed_reason,
from contacts_resolved
union all
select * from transcripts
union all
select * from shipment_events
union all
select * from order_records
union all
select record_key, customer_id, attribution_path, unattributed_reason,
from direct
where not starts_with(record_key, 'contact_center:')
