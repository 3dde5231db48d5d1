-- One row per issue journey (int_journeys__record_journeys stitches them): what it was about,
-- when it started, whether it is still open and how it ended, how many times and through which
-- channels the customer had to get in touch, and how long it took.
--
-- Touchpoints are the customer's own attempts: conversations (a contact and its transfers
-- count once), tickets and help-centre visits. A channel switch is a touchpoint on another
-- channel than the previous one. The journey is open at the data's as-of while any of its
-- tickets is unsolved, its invoice is neither paid nor voided, or its problem shipment is
-- neither delivered nor refunded; otherwise it ended at its last event.
with

as_of as (
    select max(as_of) as as_of from {{ ref('int_journeys__as_of') }}
),

journey_anchors as (
    -- a journey is named by its anchor (journey_id = md5(anchor)): one anchor per journey and
    -- customer, whatever records it holds
    select distinct journey_id, customer_id, journey_anchor,
    from {{ ref('int_journeys__record_journeys') }}
),

members as (
    -- an event of a journey its customer has (joined per record, a journey of many records
    -- repeated each of its events once per record: the square of its size)
    select timeline.*, anchors.journey_anchor,
    from {{ ref('fct_customer_timeline') }} as timeline
    inner join journey_anchors as anchors
        on anchors.journey_id = timeline.journey_id
        and timeline.customer_id = anchors.customer_id
    where timeline.journey_id is not null
),

touchpoints as (
    -- one row per customer attempt: a conversation's first leg, a ticket's creation, a help visit
    select journey_id, occurred_at, channel,
    from members
    where (source_entity = 'contact_records' and event_type <> 'contact_transferred')
        or (source_entity = 'tickets' and event_type = 'ticket_created')
        or (source_entity = 'events' and intent = 'help'
            and event_type in ('help_article_viewed', 'contact_form_submitted'))
),

switches as (
    select journey_id,
        count(*) filter (where previous_channel is not null and previous_channel <> channel)
            as channel_switches,
    from (
        select journey_id, channel,
            lag(channel) over (partition by journey_id order by occurred_at, channel) as previous_channel,
        from touchpoints
    ) as sequenced_touchpoints
    group by journey_id
),

tickets as (
    select ticket_id, ticket_status from {{ ref('stg_support__tickets') }}
),

invoices as (
    select invoice_id, invoice_status from {{ ref('stg_billing__invoices') }}
),

shipments as (
    select * from {{ ref('int_journeys__shipments') }}
),

state as (
    select
        members.journey_id,
        bool_or(tickets.ticket_status not in ('solved', 'closed')) as has_open_ticket,
        bool_or(invoices.invoice_status not in ('paid', 'void')
            and members.event_type = 'charge_failed') as has_unpaid_invoice,
        bool_or(members.event_type = 'invoice_paid') as invoice_paid,
        bool_or(members.event_type = 'invoice_voided') as invoice_voided,
        bool_or(members.event_type = 'order_refunded') as refunded,
        bool_or(members.event_type in ('shipment_delivered', 'shipment_available_for_pickup'))
            as delivered,
        bool_or(members.event_type in ('shipment_failure', 'shipment_return_to_sender'))
            as shipment_exception,
        bool_or(members.event_type = 'ticket_solved') as ticket_solved,
        arg_max(
            case when members.source_entity = 'contact_records' then members.summary end,
            (members.occurred_at, members.source_record_id)
        ) as last_contact_summary,
    from members
    left join tickets on members.ticket_id = tickets.ticket_id
    left join invoices on members.invoice_id = invoices.invoice_id
    group by members.journey_id
),

open_shipments as (
    select distinct members.journey_id,
    from members
    inner join shipments
        on members.order_id = cast(shipments.order_id as varchar)
    where members.source_entity = 'tracking_events'
        and shipments.delivered_at is null and shipments.refunded_at is null
),

-- Every choice below is deterministic (a rebuild publishes the same row): an anchor's events
-- may land on two customers (a split person, a shared order), and the journey belongs to the one
-- holding most of its events, then the one who started it, then the smaller id.
owners as (
    select journey_id, customer_id,
    from members
    group by journey_id, customer_id
    qualify row_number() over (
        partition by journey_id order by count(*) desc, min(occurred_at), customer_id
    ) = 1
),

intents as (
    -- the most frequent intent, ties to the alphabetically first
    select journey_id, intent,
    from members
    where intent is not null and intent <> 'help'
    group by journey_id, intent
    qualify row_number() over (partition by journey_id order by count(*) desc, intent) = 1
),

journeys as (
    select
        members.journey_id,
        min(owners.customer_id) as customer_id,
        split_part(min(members.journey_anchor), ':', 1) as anchor_type,
        min(members.journey_anchor) as journey_anchor,
        min(members.order_id) as order_id,
        min(members.invoice_id) as invoice_id,
        list(distinct members.ticket_id order by members.ticket_id)
            filter (where members.ticket_id is not null) as ticket_ids,
        coalesce(
            min(intents.intent),
            case split_part(min(members.journey_anchor), ':', 1)
                when 'order' then 'order_issue'
                when 'invoice' then 'billing_issue'
            end
        ) as topic,
        min(members.occurred_at) as started_at,
        max(members.occurred_at) as last_event_at,
        count(distinct members.conversation_id) filter (where members.source_entity = 'contact_records')
            as contact_count,
        count(distinct members.source_record_id) filter (where members.source_entity = 'contact_records')
            as contact_record_count,
        count(distinct members.ticket_id) as ticket_count,
        count(*) as event_count,
    from members
    inner join owners using (journey_id)
    left join intents using (journey_id)
    group by members.journey_id
),

touch_channels as (
    select journey_id, list(distinct channel order by channel) as channels, count(*) as touchpoint_count,
    from touchpoints
    group by journey_id
),

flagged as (
    select
        journeys.*,
        state.* exclude (journey_id),
        touch_channels.channels,
        touch_channels.touchpoint_count,
        switches.channel_switches,
        coalesce(state.has_open_ticket, false)
            or coalesce(
                state.has_unpaid_invoice and not (state.invoice_paid or state.invoice_voided), false
            )
            or (open_shipments.journey_id is not null and journeys.anchor_type = 'order')
            as is_open,
    from journeys
    left join state using (journey_id)
    left join touch_channels using (journey_id)
    left join switches using (journey_id)
    left join open_shipments using (journey_id)
)

select
    journey_id,
    customer_id,
    anchor_type,
    journey_anchor,
    topic,
    order_id,
    invoice_id,
    ticket_ids,
    started_at,
    last_event_at,
    is_open,
    case when not is_open then last_event_at end as ended_at,
    case
        when is_open then null
        when refunded then 'refunded'
        when delivered then 'delivered'
        when invoice_paid then 'paid'
        when invoice_voided then 'written_off'
        when ticket_solved then 'ticket_solved'
        when last_contact_summary like '%self-service%' then 'self_service'
        when last_contact_summary like '%; resolved' then 'resolved_in_contact'
        else 'no_further_contact'
    end as resolution,
    contact_count,
    contact_record_count - contact_count as transfer_count,
    ticket_count,
    coalesce(touchpoint_count, 0) as touchpoint_count,
    coalesce(channels, []) as channels,
    coalesce(channel_switches, 0) as channel_switches,
    case
        when not is_open then round(epoch(last_event_at - started_at) / 3600.0, 2)
    end as hours_to_resolution,
    event_count,
    (select as_of from as_of) as as_of,
from flagged
