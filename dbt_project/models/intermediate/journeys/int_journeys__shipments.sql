-- One row per carrier shipment (EasyPost tracker): its tracking code, the Shopify order it
-- ships, and its state as of the latest event: first promised delivery date, delivery,
-- exception (failure, return to sender).
--
-- Shipments reach orders only through the tracking number on a fulfillment, and carriers
-- recycle codes. So a tracker is matched to the fulfillment with its code that was created
-- last before the tracker's first event (plus a day of clock slack) and at most 30 days
-- before it: the recycled code's earlier shipment, months older, is not taken.
with

events as (
    select * from {{ ref('stg_logistics__tracking_events') }}
    where tracker_id is not null
),

trackers as (
    select
        tracker_id,
        min(tracking_code_normalized) as tracking_code,
        min(carrier) as carrier,
        min(coalesce(tracker_updated_at, created_at)) as first_event_at,
        max(coalesce(tracker_updated_at, created_at)) as last_event_at,
        arg_min(estimated_delivery_at, coalesce(tracker_updated_at, created_at))
            filter (where estimated_delivery_at is not null) as first_promised_at,
        arg_max(estimated_delivery_at, coalesce(tracker_updated_at, created_at))
            as latest_promised_at,
        arg_max(tracker_status, coalesce(tracker_updated_at, created_at)) as current_status,
        arg_max(tracker_status_detail, coalesce(tracker_updated_at, created_at))
            as current_status_detail,
        min(coalesce(tracker_updated_at, created_at))
            filter (where tracker_status in ('delivered', 'available_for_pickup'))
            as delivered_at,
        min(coalesce(tracker_updated_at, created_at))
            filter (where tracker_status in ('failure', 'return_to_sender')) as exception_at,
        list(tracking_event_id order by coalesce(tracker_updated_at, created_at))
            as tracking_event_ids,
    from events
    group by tracker_id
),

fulfillments as (
    select order_id, order_name, fulfillment_id, tracking_code_normalized, created_at,
    from {{ ref('stg_commerce__order_fulfillments') }}
    where tracking_code_normalized is not null
),

matched as (
    select
        trackers.tracker_id,
        fulfillments.order_id,
        fulfillments.fulfillment_id,
        fulfillments.created_at as fulfilled_at,
    from trackers
    inner join fulfillments
        on trackers.tracking_code = fulfillments.tracking_code_normalized
        and fulfillments.created_at <= trackers.first_event_at + interval 1 day
        and fulfillments.created_at >= trackers.first_event_at - interval 30 day
    qualify row_number() over (
        partition by trackers.tracker_id order by fulfillments.created_at desc, fulfillments.fulfillment_id asc
    ) = 1
),

orders as (
    select * from {{ ref('int_journeys__orders') }}
),

refunds as (
    select order_id, min(created_at) as first_refund_at, list(refund_id order by created_at) as refund_ids,
    from {{ ref('stg_commerce__order_refunds') }}
    group by order_id
)

select
    trackers.tracker_id,
    trackers.tracking_code,
    trackers.carrier,
    matched.order_id,
    orders.order_name,
    matched.fulfillment_id,
    matched.fulfilled_at,
    orders.customer_id,
    case
        when orders.customer_id is not null then 'tracking_code+' || orders.attribution_path
    end as attribution_path,
    case
        when matched.order_id is null then 'tracking_code_without_fulfillment_in_window'
        when orders.customer_id is null then orders.unattributed_reason
    end as unattributed_reason,
    trackers.first_event_at,
    trackers.last_event_at,
    trackers.first_promised_at,
    trackers.latest_promised_at,
    trackers.current_status,
    trackers.current_status_detail,
    trackers.delivered_at,
    trackers.exception_at,
    -- a refund after the shipment started settles a lost parcel
    case when refunds.first_refund_at >= trackers.first_event_at then refunds.first_refund_at end
        as refunded_at,
    trackers.tracking_event_ids,
from trackers
left join matched using (tracker_id)
left join orders on matched.order_id = orders.order_id
left join refunds on matched.order_id = refunds.order_id
