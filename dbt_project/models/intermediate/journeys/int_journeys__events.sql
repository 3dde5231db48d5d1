-- One row per customer event of every system, before attribution: when it happened (UTC),
-- channel, type, a one-line summary, the source record it comes from (`record_key`, which
-- attribution works on) and the references journeys are stitched by (order, invoice, ticket,
-- conversation, intent).
--
-- Channels (the timeline's swimlanes): voice, chat, email, task (contact center), web, app
-- (digital), shop (orders), shipping (carrier), billing (invoices, charges), ticket (support).
--
-- A source record can give several events (an order is placed, fulfilled, refunded; a ticket
-- changes status); `is_record_event` marks the one event of the record itself (the contact, the
-- message, the order placed, the invoice or charge created, the ticket created, the tracker
-- update), the grain of the source systems' own records.
--
-- A summary is composed from the record's references (order names, ids, tracking codes), figures
-- the pipeline computes (amounts, minutes, dates) and the text a source system lets anyone fill
-- (subjects, notes, page paths, agents' and queues' names, statuses): each of the last is
-- redacted where it enters (macros/redact_free_text.sql), so what the timeline publishes holds no
-- card, email, address or phone, and its references stay readable.
with

contacts as (
    select * from {{ ref('int_journeys__contacts') }}
),

contact_events as (
    select
        'contact_center:contact_records:' || contact_id as record_key,
        'contact_center' as source_system,
        'contact_records' as source_entity,
        contact_id as source_record_id,
        cast(null as varchar) as source_detail_id,
        initiated_at as occurred_at,
        channel,
        case
            when is_transfer_leg then 'contact_transferred'
            else 'contact_' || coalesce(initiation_method, 'unknown')
        end as event_type,
        concat_ws(' ',
            upper(left(coalesce({{ redact_free_text('initiation_method') }}, 'unknown'), 1))
                || substr(coalesce({{ redact_free_text('initiation_method') }}, 'unknown'), 2),
            {{ redact_free_text('channel') }}, 'contact',
            case when intent is not null then 'about ' || replace({{ redact_free_text('intent') }}, '_', ' ') end,
            case when order_name is not null then '(order ' || order_name || ')' end,
            case outcome
                when 'handled' then '- handled by ' || coalesce({{ redact_free_text('agent_username') }}, 'an agent')
                    || coalesce(' in ' || {{ redact_free_text('queue_name') }}, '')
                    || coalesce(', ' || cast(round((coalesce(talk_seconds, 0)
                        + coalesce(hold_seconds, 0)) / 60.0) as integer) || ' min', '')
                when 'abandoned' then '- abandoned after '
                    || coalesce(cast(round(queue_seconds / 60.0) as integer), 0)
                    || ' min in ' || coalesce({{ redact_free_text('queue_name') }}, 'queue')
                else '- contained in self-service'
            end,
            case when resolution is not null then '; ' || replace({{ redact_free_text('resolution') }}, '_', ' ') end
        ) as summary,
        order_id,
        cast(null as varchar) as invoice_id,
        cast(null as varchar) as ticket_id,
        conversation_id,
        intent,
        true as is_record_event,
    from contacts
),

transcript_events as (
    select
        'contact_center:transcripts:' || transcripts.contact_id,
        'contact_center',
        'transcripts',
        transcripts.contact_id,
        null,
        coalesce(contacts.initiated_at, transcripts.extracted_at),
        coalesce(contacts.channel, lower(transcripts.channel)),
        'contact_analysed',
        concat_ws(' ',
            'Contact Lens analysis:',
            coalesce('customer sentiment ' || cast(transcripts.customer_overall_sentiment as varchar), ''),
            case when len(transcripts.matched_categories) > 0
                then '; categories ' || {{ redact_free_text("array_to_string(transcripts.matched_categories, ', ')") }}
            end,
            '; ' || transcripts.transcript_turn_count || ' turns'
        ),
        contacts.order_id,
        null,
        null,
        coalesce(contacts.conversation_id, transcripts.contact_id),
        contacts.intent,
        true,
    from {{ ref('stg_contact_center__transcripts') }} as transcripts
    left join contacts using (contact_id)
),

digital as (
    select
        *,
        -- Segment's own correction: the device clock may be wrong, but the time between the
        -- event and its sending is right, and receivedAt is the server's clock
        case
            when received_at is not null and sent_at is not null and occurred_at is not null
                then received_at - (sent_at - occurred_at)
            else coalesce(occurred_at, received_at)
        end as corrected_at,
    from {{ ref('stg_digital__events') }}
),

digital_events as (
    select
        'digital:events:' || digital.message_id,
        'digital',
        'events',
        digital.message_id,
        null,
        digital.corrected_at,
        case when digital.device_id is not null then 'app' else 'web' end,
        case digital.event_type
            when 'track' then coalesce(
                regexp_replace(lower(trim(digital.event_name)), '[^a-z0-9]+', '_', 'g'), 'track'
            )
            when 'page' then 'page_viewed'
            when 'screen' then 'screen_viewed'
            when 'identify' then 'visitor_identified'
            when 'alias' then 'visitor_aliased'
            else coalesce(digital.event_type, 'unknown')
        end,
        case digital.event_type
            when 'track' then coalesce({{ redact_free_text('digital.event_name') }}, 'Event')
                || coalesce(' (order ' || digital.order_name || ')', '')
                || coalesce(' on ' || {{ redact_free_text('digital.page_path') }}, '')
            when 'identify' then 'Signed in / identified as a known visitor'
            when 'alias' then 'Anonymous device linked to a known visitor'
            else 'Viewed '
                || coalesce(
                    {{ redact_free_text('digital.page_name') }},
                    {{ redact_free_text('digital.page_path') }},
                    'a page'
                )
                || coalesce(' (' || {{ redact_free_text('digital.page_path') }} || ')', '')
        end,
        orders.order_id,
        null,
        null,
        null,
        case
            when digital.page_path like '/help/%' or digital.event_name = 'Help Article Viewed'
                then 'help'
        end,
        true,
    from digital
    left join {{ ref('int_journeys__orders') }} as orders
        on {{ normalize_order_name('digital.order_name') }} = orders.order_name
),

orders as (
    select * from {{ ref('stg_commerce__orders') }}
),

order_events as (
    select
        'commerce:orders:' || cast(order_id as varchar),
        'commerce',
        'orders',
        cast(order_id as varchar),
        null,
        created_at,
        'shop',
        'order_placed',
        'Order ' || coalesce(order_name, cast(order_id as varchar)) || ' placed: '
            || coalesce(
                cast(total_price_amount as varchar) || ' ' || {{ redact_free_text('currency') }},
                'amount unknown'
            )
            || coalesce(', ' || {{ redact_free_text('financial_status') }}, ''),
        order_id,
        null,
        null,
        null,
        null,
        true,
    from orders

    union all
    select
        'commerce:orders:' || cast(order_id as varchar), 'commerce', 'orders',
        cast(order_id as varchar), null, cancelled_at, 'shop', 'order_cancelled',
        'Order ' || coalesce(order_name, cast(order_id as varchar)) || ' cancelled'
            || coalesce(': ' || {{ redact_free_text('cancel_reason') }}, ''),
        order_id, null, null, null, null, false,
    from orders
    where cancelled_at is not null

    union all
    select
        'commerce:orders:' || cast(order_id as varchar), 'commerce', 'orders',
        cast(order_id as varchar), fulfillment_id, created_at, 'shop', 'order_fulfilled',
        'Order ' || coalesce(order_name, cast(order_id as varchar)) || ' shipped'
            || coalesce(' with ' || {{ redact_free_text('tracking_company') }}, '')
            || coalesce(', tracking ' || tracking_number, ''),
        order_id, null, null, null, null, false,
    from {{ ref('stg_commerce__order_fulfillments') }}
    where created_at is not null

    union all
    select
        'commerce:orders:' || cast(order_id as varchar), 'commerce', 'orders',
        cast(order_id as varchar), refund_id, created_at, 'shop', 'order_refunded',
        'Order ' || coalesce(order_name, cast(order_id as varchar)) || ' refunded'
            || coalesce(': ' || {{ redact_free_text('note') }}, ''),
        order_id, null, null, null, null, false,
    from {{ ref('stg_commerce__order_refunds') }}
    where created_at is not null
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

billing_events as (
    select
        'billing:invoices:' || invoice_id, 'billing', 'invoices', invoice_id, null,
        created_at, 'billing', 'invoice_created',
        'Invoice ' || invoice_id || ' for '
            || coalesce(
                cast(amount_due_cents / 100.0 as decimal(12, 2)) || ' '
                    || {{ redact_free_text('currency') }},
                '?'
            )
            || ' (' || coalesce({{ redact_free_text('billing_reason') }}, 'invoice') || '), now '
            || coalesce({{ redact_free_text('invoice_status') }}, 'unknown')
            || case when attempt_count > 0 then ' after ' || attempt_count || ' attempt(s)' else '' end,
        null, invoice_id, null, null, null, true,
    from invoices

    union all
    select
        'billing:invoices:' || invoice_id, 'billing', 'invoices', invoice_id, null,
        paid_at, 'billing', 'invoice_paid', 'Invoice ' || invoice_id || ' paid',
        null, invoice_id, null, null, null, false,
    from invoices
    where paid_at is not null

    union all
    select
        'billing:invoices:' || invoice_id, 'billing', 'invoices', invoice_id, null,
        voided_at, 'billing', 'invoice_voided', 'Invoice ' || invoice_id || ' voided',
        null, invoice_id, null, null, null, false,
    from invoices
    where voided_at is not null

    union all
    select
        'billing:charges:' || charge_id, 'billing', 'charges', charge_id, null,
        created_at, 'billing', 'charge_' || coalesce(charge_status, 'unknown'),
        'Charge ' || charge_id || ' of '
            || coalesce(cast(amount_cents / 100.0 as decimal(12, 2)) || ' ' || {{ redact_free_text('currency') }}, '?')
            || ' ' || coalesce({{ redact_free_text('charge_status') }}, 'unknown')
            || coalesce(': ' || {{ redact_free_text('failure_code') }}, '')
            || coalesce(' (' || {{ redact_free_text('outcome_reason') }} || ')', '')
            || coalesce(' on invoice ' || invoice_id, ''),
        null, invoice_id, null, null, null, true,
    from {{ ref('stg_billing__charges') }}
),

tickets as (
    select
        tickets.*,
        list_extract(list_filter(
            json_transform(tickets.custom_fields, '[{"id":"VARCHAR","value":"VARCHAR"}]'),
            lambda f: regexp_full_match(coalesce(f.value, ''), '[a-z]+(_[a-z]+)+')
        ), 1).value as topic,
        orders.order_id,
    from {{ ref('stg_support__tickets') }} as tickets
    left join {{ ref('int_journeys__orders') }} as orders
        on tickets.order_name = orders.order_name
),

ticket_events as (
    select
        'support:tickets:' || ticket_id, 'support', 'tickets', ticket_id, null,
        created_at, 'ticket', 'ticket_created',
        'Ticket ' || ticket_id || coalesce(' via ' || {{ redact_free_text('via_channel') }}, '') || ': '
            || coalesce(left({{ redact_free_text('subject') }}, 120), '(no subject)')
            || coalesce(
                ' [' || {{ redact_free_text('ticket_type') }} || ', '
                    || {{ redact_free_text('priority') }} || ']',
                ''
            )
            || coalesce(' - order ' || order_name, ''),
        order_id, null, ticket_id, null, topic, true,
    from tickets

    union all
    select
        'support:tickets:' || versions.ticket_id, 'support', 'tickets', versions.ticket_id,
        cast(versions.version_number as varchar),
        versions.updated_at, 'ticket',
        case
            when versions.ticket_status = 'open' and versions.previous_status in ('solved', 'closed')
                then 'ticket_reopened'
            when (versions.ticket_status is distinct from versions.previous_status)
                then 'ticket_' || coalesce(versions.ticket_status, 'unknown')
            else 'ticket_rated_' || coalesce(versions.satisfaction_score, 'unknown')
        end,
        'Ticket ' || versions.ticket_id || ' '
            || case
                when versions.ticket_status = 'open' and versions.previous_status in ('solved', 'closed')
                    then 'reopened'
                when (versions.ticket_status is distinct from versions.previous_status)
                    then 'now ' || coalesce({{ redact_free_text('versions.ticket_status') }}, 'unknown')
                else 'rated'
            end
            || coalesce(' (satisfaction ' || {{ redact_free_text('versions.satisfaction_score') }} || ')', ''),
        tickets.order_id, null, versions.ticket_id, null, tickets.topic, false,
    from {{ ref('stg_support__ticket_versions') }} as versions
    left join tickets using (ticket_id)
    where versions.version_number > 1
        and (
            versions.ticket_status is distinct from versions.previous_status
            or versions.satisfaction_score is distinct from versions.previous_score
        )
),

shipments as (
    select * from {{ ref('int_journeys__shipments') }}
),

tracking_events as (
    select
        'logistics:tracking_events:' || events.tracking_event_id, 'logistics', 'tracking_events',
        events.tracking_event_id, null,
        coalesce(events.tracker_updated_at, events.created_at), 'shipping',
        'shipment_' || coalesce(events.tracker_status, 'unknown'),
        coalesce({{ redact_free_text('events.carrier') }}, 'Carrier') || ' ' || coalesce(events.tracking_code, '?')
            || coalesce(' (order ' || shipments.order_name || ')', '') || ': '
            || replace(coalesce({{ redact_free_text('events.tracker_status') }}, 'unknown'), '_', ' ')
            || coalesce(' - ' || replace({{ redact_free_text('events.tracker_status_detail') }}, '_', ' '), '')
            || coalesce(', estimated delivery ' || strftime(events.estimated_delivery_at, '%Y-%m-%d'), ''),
        shipments.order_id, null, null, null, null, true,
    from {{ ref('stg_logistics__tracking_events') }} as events
    left join shipments using (tracker_id)
),

unioned as (
    select * from contact_events
    union all
    select * from transcript_events
    union all
    select * from digital_events
    union all
    select * from order_events
    union all
    select * from billing_events
    union all
    select * from ticket_events
    union all
    select * from tracking_events
)

select
    md5(
        record_key || ':' || event_type || ':' || coalesce(source_detail_id, '')
    ) as event_id,
    *,
from unioned
