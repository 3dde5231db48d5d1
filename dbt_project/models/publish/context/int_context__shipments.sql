-- One row per Shopify fulfillment with a tracking code: the carrier's latest status of that
-- shipment and when it was delivered. Carriers recycle codes, so only tracking events from a
-- day before the fulfillment to 60 days after it count.
with

fulfillments as (
    select
        fulfillment_id,
        order_id,
        {{ normalize_order_name('order_name') }} as order_name,
        tracking_company,
        tracking_code_normalized as tracking_code,
        created_at as fulfilled_at,
    from {{ ref('stg_commerce__order_fulfillments') }}
    where tracking_code_normalized is not null
),

events as (
    select
        tracking_code_normalized as tracking_code,
        carrier,
        tracker_status,
        tracker_status_detail,
        estimated_delivery_at,
        coalesce(tracker_updated_at, created_at) as event_at,
    from {{ ref('stg_logistics__tracking_events') }}
    where tracking_code_normalized is not null
)

select
    fulfillments.fulfillment_id,
    fulfillments.order_id,
    fulfillments.order_name,
    fulfillments.tracking_code,
    coalesce(max(events.carrier), min(fulfillments.tracking_company)) as carrier,
    min(fulfillments.fulfilled_at) as fulfilled_at,
    coalesce(arg_max(events.tracker_status, events.event_at), 'label_created') as shipment_status,
    arg_max(events.tracker_status_detail, events.event_at) as shipment_status_detail,
    arg_max(events.estimated_delivery_at, events.event_at) as estimated_delivery_at,
    min(events.event_at) filter (where events.tracker_status = 'delivered') as delivered_at,
    max(events.event_at) as last_tracking_event_at,
from fulfillments
left join events
    on events.tracking_code = fulfillments.tracking_code
    and events.event_at between fulfillments.fulfilled_at - interval 1 day
        and fulfillments.fulfilled_at + interval 60 day
group by fulfillments.fulfillment_id, fulfillments.order_id, fulfillments.order_name,
    fulfillments.tracking_code
