-- One row per proactive signal active at the data's as-of (published as `proactive_signals`):
-- a condition an agent should act on before the customer has to ask. A condition that is
-- resolved is absent. `signal_id` names the condition (the tracker, the invoice, the ticket,
-- the first contact of a repeat streak), so the same condition keeps its id across runs.
-- `detected_at` is when the condition began, not when the pipeline ran. "Now" is
-- int_journeys__as_of (the latest extraction), never the wall clock.
--
-- delivery_delayed: a shipment not delivered (nor refunded as lost) whose first promised
--   delivery date passed 24 h ago, or that hit a carrier exception; began at the promised date
--   + 24 h (or the exception, if earlier). Whether the customer already got in touch is in the
--   evidence and changes the action: with no contact yet, reach out first.
-- payment_failed: an invoice with a declined charge that is neither paid nor voided (Stripe's
--   retries still running, or given up: uncollectible) and has no successful charge; began at
--   the first declined charge.
-- repeat_contact: 3+ inbound first contacts (not transfers) about one issue (the order the
--   contacts name, else their intent) within 7 days, and the latest not resolved
--   (var contact_resolved_values); began at the third. A later contact that resolves the issue
--   ends it; one left open is no longer signalled repeat_contact_stale_after_days after it began.
-- bad_csat_open: a ticket rated bad that is open again (reopened, not yet solved); began at the
--   reopening.
with

as_of as (
    select max(as_of) as as_of from {{ ref('int_journeys__as_of') }}
),

contacts as (
    select * from {{ ref('int_journeys__attributed_contacts') }}
),

-- delivery_delayed ------------------------------------------------------------------------
late_shipments as (
    select
        shipments.*,
        least(
            coalesce(shipments.first_promised_at + interval 1 day, shipments.exception_at),
            coalesce(shipments.exception_at, shipments.first_promised_at + interval 1 day)
        ) as began_at,
    from {{ ref('int_journeys__shipments') }} as shipments, as_of
    where shipments.customer_id is not null
        and shipments.delivered_at is null
        and shipments.refunded_at is null
        and (
            shipments.first_promised_at + interval 1 day <= as_of.as_of
            or shipments.exception_at <= as_of.as_of
        )
),

late_shipment_contacts as (
    select
        late_shipments.tracker_id,
        list(contacts.contact_id order by contacts.initiated_at) as contact_ids,
    from late_shipments
    inner join contacts
        on contacts.order_id = late_shipments.order_id
        and contacts.initiated_at >= late_shipments.began_at - interval 1 day
    group by late_shipments.tracker_id
),

late_shipment_tickets as (
    select late_shipments.tracker_id, list(tickets.ticket_id order by tickets.ticket_id) as ticket_ids,
    from late_shipments
    inner join {{ ref('stg_support__tickets') }} as tickets
        on tickets.order_name = late_shipments.order_name
        and tickets.created_at >= late_shipments.began_at - interval 1 day
    group by late_shipments.tracker_id
),

delivery_delayed as (
    select
        md5('delivery_delayed:' || late_shipments.tracker_id) as signal_id,
        late_shipments.customer_id,
        'delivery_delayed' as signal_type,
        late_shipments.began_at as detected_at,
        case
            when late_shipments.exception_at is not null
                or as_of.as_of - late_shipments.began_at > interval 7 day
                or len(coalesce(late_shipment_contacts.contact_ids, [])) >= 2
                then 'high'
            else 'medium'
        end as severity,
        json_object(
            'order_name', late_shipments.order_name,
            'order_id', cast(late_shipments.order_id as varchar),
            'tracking_code', late_shipments.tracking_code,
            'tracker_id', late_shipments.tracker_id,
            'carrier', late_shipments.carrier,
            'promised_delivery_at', late_shipments.first_promised_at,
            'current_estimate_at', late_shipments.latest_promised_at,
            'current_status', late_shipments.current_status,
            'status_detail', late_shipments.current_status_detail,
            'exception_at', late_shipments.exception_at,
            'contact_ids', coalesce(late_shipment_contacts.contact_ids, []),
            'ticket_ids', coalesce(late_shipment_tickets.ticket_ids, []),
            'customer_has_contacted',
            len(coalesce(late_shipment_contacts.contact_ids, []))
                + len(coalesce(late_shipment_tickets.ticket_ids, [])) > 0
        ) as evidence,
        case
            when late_shipments.exception_at is not null
                then 'The carrier reports an exception (' || late_shipments.current_status
                    || ') on order ' || coalesce(late_shipments.order_name, '?')
                    || ': contact the customer, apologise, and offer a reship or a refund.'
            when len(coalesce(late_shipment_contacts.contact_ids, []))
                + len(coalesce(late_shipment_tickets.ticket_ids, [])) = 0
                then 'Order ' || coalesce(late_shipments.order_name, '?')
                    || ' is late and the customer has not contacted us yet: reach out first with '
                    || 'the carrier status and the new estimate.'
            else 'The customer already contacted us about late order '
                || coalesce(late_shipments.order_name, '?')
                || ': follow up with the carrier status and a resolution; do not make them repeat it.'
        end as recommended_action,
    from late_shipments
    cross join as_of
    left join late_shipment_contacts using (tracker_id)
    left join late_shipment_tickets using (tracker_id)
),

-- payment_failed --------------------------------------------------------------------------
charges as (
    select * from {{ ref('stg_billing__charges') }} where invoice_id is not null
),

failing_invoices as (
    select
        invoices.*,
        attribution.customer_id,
        min(charges.created_at) filter (where charges.charge_status = 'failed') as began_at,
        list(charges.charge_id order by charges.created_at) as charge_ids,
        list(charges.charge_id order by charges.created_at)
            filter (where charges.charge_status = 'failed') as failed_charge_ids,
        arg_max(charges.failure_code, charges.created_at)
            filter (where charges.charge_status = 'failed') as last_failure_code,
    from {{ ref('stg_billing__invoices') }} as invoices
    inner join charges using (invoice_id)
    inner join {{ ref('int_journeys__record_attribution') }} as attribution
        on attribution.record_key = 'billing:invoices:' || invoices.invoice_id
    where coalesce(invoices.invoice_status, '') not in ('paid', 'void')
        and attribution.customer_id is not null
    group by all
    -- a successful charge on the invoice pays it, even when the invoice object we hold is an
    -- older version still saying open (Stripe objects reach us a batch at a time)
    having count(*) filter (where charges.charge_status = 'failed') > 0
        and count(*) filter (where charges.charge_status = 'succeeded') = 0
),

payment_failed as (
    select
        md5('payment_failed:' || invoice_id) as signal_id,
        customer_id,
        'payment_failed' as signal_type,
        began_at as detected_at,
        case
            when invoice_status = 'uncollectible' or next_payment_attempt_at is null then 'high'
            else 'medium'
        end as severity,
        json_object(
            'invoice_id', invoice_id,
            'billing_customer_id', billing_customer_id,
            'invoice_status', invoice_status,
            'amount_remaining_cents', amount_remaining_cents,
            'currency', currency,
            'attempt_count', attempt_count,
            'next_payment_attempt_at', next_payment_attempt_at,
            'charge_ids', charge_ids,
            'failed_charge_ids', failed_charge_ids,
            'last_failure_code', last_failure_code
        ) as evidence,
        case
            when invoice_status = 'uncollectible' or next_payment_attempt_at is null
                then 'Payment retries are exhausted on invoice ' || invoice_id
                    || ': contact the customer to update the card or agree a payment plan.'
            else 'A payment on invoice ' || invoice_id || ' was declined ('
                || coalesce(last_failure_code, 'declined') || '); Stripe retries on '
                || strftime(next_payment_attempt_at, '%Y-%m-%d')
                || ': ask the customer to update the card before then.'
        end as recommended_action,
    from failing_invoices
),

-- repeat_contact --------------------------------------------------------------------------
repeat_contact as (
    select
        md5('repeat_contact:' || streak_first_contact_id) as signal_id,
        customer_id,
        'repeat_contact' as signal_type,
        began_at as detected_at,
        case when contacts >= 4 then 'high' else 'medium' end as severity,
        json_object(
            'issue', issue,
            'order_name', order_name,
            'intent', intent,
            'contact_ids', contact_ids,
            'contacts', contacts,
            'last_resolution', last_resolution,
            'channels', channels
        ) as evidence,
        'The customer contacted us ' || contacts || ' times about '
            || coalesce('order ' || order_name, replace(intent, '_', ' '))
            || ' since ' || strftime(first_contact_at, '%Y-%m-%d')
            || ' and it is not resolved: assign one owner, call back with a resolution, and check'
            || ' what was already tried.' as recommended_action,
    from {{ ref('int_journeys__repeat_contacts') }}
),

-- bad_csat_open ---------------------------------------------------------------------------
ticket_history as (
    select
        ticket_id,
        max(updated_at) filter (where ticket_status in ('solved', 'closed')) as last_solved_at,
        list(struct_pack(updated_at, ticket_status, satisfaction_score) order by updated_at)
            as versions,
    from {{ ref('stg_support__ticket_versions') }}
    group by ticket_id
),

bad_open_tickets as (
    select
        tickets.*,
        attribution.customer_id,
        coalesce(
            list_min(list_transform(
                list_filter(ticket_history.versions, lambda v:
                    v.ticket_status not in ('solved', 'closed')
                    and v.satisfaction_score = 'bad'
                    and v.updated_at > coalesce(ticket_history.last_solved_at, cast('-infinity' as timestamptz))),
                lambda v: v.updated_at
            )),
            tickets.updated_at
        ) as began_at,
        ticket_history.last_solved_at,
    from {{ ref('stg_support__tickets') }} as tickets
    inner join {{ ref('int_journeys__record_attribution') }} as attribution
        on attribution.record_key = 'support:tickets:' || tickets.ticket_id
    left join ticket_history using (ticket_id)
    where tickets.satisfaction_score = 'bad'
        and tickets.ticket_status in ('new', 'open', 'pending', 'hold')
        and attribution.customer_id is not null
),

bad_csat_open as (
    select
        md5('bad_csat_open:' || ticket_id) as signal_id,
        customer_id,
        'bad_csat_open' as signal_type,
        began_at as detected_at,
        'high' as severity,
        json_object(
            'ticket_id', ticket_id,
            'ticket_status', ticket_status,
            'satisfaction_score', satisfaction_score,
            'subject', left(subject, 200),
            'order_name', order_name,
            'requester_user_id', requester_user_id,
            'previously_solved_at', last_solved_at
        ) as evidence,
        'The customer rated ticket ' || ticket_id
            || ' bad and it is open again: have a senior agent call back today and own it to the end.'
            as recommended_action,
    from bad_open_tickets
)

select *, (select as_of from as_of) as as_of, from delivery_delayed
union all
select *, (select as_of from as_of) as as_of, from payment_failed
union all
select *, (select as_of from as_of) as as_of, from repeat_contact
union all
select *, (select as_of from as_of) as as_of, from bad_csat_open
