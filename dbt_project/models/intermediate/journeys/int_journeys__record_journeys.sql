-- One row per source record that belongs to an issue journey: the journey it belongs to. All
-- the events of a record follow it (a ticket's status changes, an order's refund).
--
-- How records are stitched (set-based, in this order):
-- 1. Anchored by a shared reference. An order with an issue (a late or failed shipment, a
--    contact, ticket, help visit or refund naming it) is one journey: the order, its problem
--    shipment's tracking updates, the contacts and tickets about it, its refunds. An invoice
--    with a declined charge is one journey: the invoice and its charges. A conversation
--    (a contact and its transfers, with their transcripts) is one unit: its legs never split.
-- 2. Attached by time and topic. A conversation or ticket that names no order or invoice joins
--    the same customer's anchored journey on a matching topic (where-is-my-order and returns ->
--    an order journey; billing and membership -> an invoice journey) that was active within
--    [its start - 1 day, its end + 7 days]; the nearest start wins.
-- 3. Otherwise grouped by topic and time: the same customer's conversations and tickets on the
--    same intent form one journey while each comes within 7 days of the previous one (the
--    window of first contact resolution).
-- Only attributed records are stitched: a journey belongs to one customer.
with

as_of as (
    select max(as_of) as as_of from {{ ref('int_journeys__as_of') }}
),

events as (
    -- the columns journeys are stitched by (read five times below: not every event's summary)
    select
        events.record_key,
        events.source_system,
        events.source_entity,
        events.source_record_id,
        events.conversation_id,
        events.occurred_at,
        events.event_type,
        events.is_record_event,
        events.order_id,
        events.invoice_id,
        events.intent,
        attribution.customer_id,
    from {{ ref('int_journeys__events') }} as events
    inner join {{ ref('int_journeys__record_attribution') }} as attribution using (record_key)
    where attribution.customer_id is not null
),

shipments as (
    select shipments.*,
        shipments.exception_at is not null
            or coalesce(shipments.delivered_at, shipments.refunded_at, as_of.as_of)
                > shipments.first_promised_at + interval 1 day as had_problem,
    from {{ ref('int_journeys__shipments') }} as shipments, as_of
),

conversations as (
    -- a contact and its transfers: one unit, named by its first leg
    select
        contacts.conversation_id,
        attribution.customer_id,
        min(contacts.initiated_at) as started_at,
        min(contacts.order_id) filter (where contacts.order_id is not null) as order_id,
        arg_min(contacts.intent, contacts.initiated_at) filter (where contacts.intent is not null)
            as intent,
    from {{ ref('int_journeys__contacts') }} as contacts
    inner join {{ ref('int_journeys__record_attribution') }} as attribution
        on attribution.record_key = 'contact_center:contact_records:' || contacts.contact_id
    where attribution.customer_id is not null
    group by contacts.conversation_id, attribution.customer_id
),

units as (
    -- the records (or conversations) that can make or join a journey, with what they name
    select
        'conversation:' || conversation_id as unit_key,
        customer_id,
        started_at as unit_at,
        cast(order_id as varchar) as order_id,
        cast(null as varchar) as invoice_id,
        intent as topic,
    from conversations

    union all
    select
        'record:' || record_key, customer_id, occurred_at, cast(order_id as varchar), null, intent,
    from events
    where source_entity = 'tickets' and is_record_event

    union all
    select 'record:' || record_key, customer_id, occurred_at, cast(order_id as varchar), null, 'help',
    from events
    where source_entity = 'events' and intent = 'help'

    union all
    select 'record:' || events.record_key, events.customer_id, events.occurred_at,
        cast(events.order_id as varchar), null, null,
    from events
    inner join {{ ref('stg_logistics__tracking_events') }} as tracking
        on events.source_record_id = tracking.tracking_event_id
    inner join shipments on tracking.tracker_id = shipments.tracker_id
    where events.source_entity = 'tracking_events' and shipments.had_problem

    union all
    select 'record:' || record_key, customer_id, occurred_at, cast(order_id as varchar), null, null,
    from events
    where event_type = 'order_refunded'
),

problem_invoices as (
    select invoice_id, min(created_at) as first_failure_at,
    from {{ ref('stg_billing__charges') }}
    where charge_status = 'failed' and invoice_id is not null
    group by invoice_id
),

invoice_units as (
    select 'record:' || events.record_key as unit_key, events.customer_id, events.occurred_at as unit_at,
        null as order_id, events.invoice_id, null as topic,
    from events
    inner join problem_invoices using (invoice_id)
    where events.is_record_event
),

problem_orders as (
    select distinct customer_id, order_id from units where order_id is not null
),

order_units as (
    -- the order itself joins its issue journey
    select 'record:' || events.record_key as unit_key, events.customer_id, events.occurred_at as unit_at,
        cast(events.order_id as varchar) as order_id, null as invoice_id, null as topic,
    from events
    inner join problem_orders
        on cast(events.order_id as varchar) = problem_orders.order_id
        and events.customer_id = problem_orders.customer_id
    where events.source_entity = 'orders' and events.event_type = 'order_placed'
),

all_units as (
    select distinct * from (
        select * from units
        union all
        select * from invoice_units
        union all
        select * from order_units
    ) as units_of_every_kind
),

anchored as (
    select
        *,
        case
            when order_id is not null then 'order:' || order_id
            when invoice_id is not null then 'invoice:' || invoice_id
        end as anchor,
    from all_units
),

anchors as (
    select customer_id, anchor, min(unit_at) as started_at, max(unit_at) as ended_at,
        min(order_id) is not null as is_order,
    from anchored
    where anchor is not null
    group by customer_id, anchor
),

attached as (
    -- step 2: an unanchored conversation or ticket joins a matching anchored journey
    select loose.unit_key, arg_min(anchors.anchor, abs(epoch(loose.unit_at) - epoch(anchors.started_at))) as anchor,
    from anchored as loose
    inner join anchors
        on loose.customer_id = anchors.customer_id
        and loose.unit_at between anchors.started_at - interval 1 day and anchors.ended_at + interval 7 day
        and (
            (anchors.is_order and loose.topic in ('where_is_my_order', 'return_request', 'help'))
            or (not anchors.is_order and loose.topic in ('billing_issue', 'membership', 'help'))
        )
    where loose.anchor is null
    group by loose.unit_key
),

loose as (
    -- step 3: the rest, grouped by customer and topic while contacts come within 7 days
    select anchored.*,
        case
            when lag(anchored.unit_at) over (
                partition by anchored.customer_id, anchored.topic order by anchored.unit_at, anchored.unit_key
            ) >= anchored.unit_at - interval 7 day then 0
            else 1
        end as starts_journey,
    from anchored
    left join attached using (unit_key)
    where anchored.anchor is null and attached.anchor is null and anchored.topic <> 'help'
),

loose_grouped as (
    select *,
        sum(starts_journey) over (
            partition by customer_id, topic order by unit_at, unit_key
            rows between unbounded preceding and current row
        ) as group_number,
    from loose
),

loose_journeys as (
    select unit_key, customer_id,
        'topic:' || coalesce(topic, 'unknown') || ':'
            || first_value(unit_key) over (
                partition by customer_id, topic, group_number order by unit_at, unit_key
            ) as anchor,
    from loose_grouped
),

unit_journeys as (
    select unit_key, customer_id, anchor from anchored where anchor is not null
    union all
    select attached.unit_key, anchored.customer_id, attached.anchor,
    from attached inner join anchored using (unit_key)
    union all
    select unit_key, customer_id, anchor from loose_journeys
),

records as (
    -- units back to records: a conversation is all its legs and their transcripts
    select events.record_key, unit_journeys.customer_id, unit_journeys.anchor,
    from unit_journeys
    inner join events on unit_journeys.unit_key = 'record:' || events.record_key
    union
    select events.record_key, unit_journeys.customer_id, unit_journeys.anchor,
    from unit_journeys
    inner join events
        on unit_journeys.unit_key = 'conversation:' || events.conversation_id
        and events.source_system = 'contact_center'
)

select
    record_key,
    customer_id,
    anchor as journey_anchor,
    -- named by what anchors it (an order, an invoice, a first contact), so the same issue
    -- keeps its id across runs and when identities merge
    md5(anchor) as journey_id,
from records
-- one journey per record: the first anchor, then (a conversation whose legs two customers hold
-- is a unit of each) the smaller customer id, so a rebuild publishes the same row
qualify row_number() over (partition by record_key order by anchor, customer_id) = 1
