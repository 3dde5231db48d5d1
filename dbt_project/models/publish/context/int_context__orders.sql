-- One row per Shopify order of a published customer (placed as the timeline places it), with
-- its shipments' state: whether it is still in flight (not cancelled and not every shipment
-- delivered) and when it was delivered (the last shipment's delivery), which the refund
-- guardrail counts from.
with

orders as (
    select
        order_id,
        coalesce({{ normalize_order_name('order_name') }}, order_name) as order_name,
        created_at,
        cancelled_at,
        financial_status,
        fulfillment_status,
        total_price_amount,
        currency,
    from {{ ref('stg_commerce__orders') }}
),

shipments as (
    select
        order_id,
        count(*) as shipment_count,
        count(delivered_at) as delivered_count,
        max(delivered_at) as delivered_at,
        list(struct_pack(
            tracking_code := tracking_code,
            carrier := carrier,
            status := shipment_status,
            status_detail := shipment_status_detail,
            estimated_delivery_at := estimated_delivery_at,
            delivered_at := delivered_at
        ) order by fulfilled_at) as shipments,
    from {{ ref('int_context__shipments') }}
    group by order_id
),

-- the customer the published timeline places the order with (its order events)
placed as (
    select distinct customer_id, cast(order_id as bigint) as order_id,
    from {{ ref('customer_timeline') }}
    where source_system = 'commerce' and source_entity = 'orders'
)

select
    placed.customer_id,
    orders.order_id,
    orders.order_name,
    orders.created_at,
    orders.cancelled_at,
    orders.financial_status,
    orders.fulfillment_status,
    orders.total_price_amount,
    orders.currency,
    coalesce(shipments.shipment_count, 0) as shipment_count,
    case when shipments.delivered_count = shipments.shipment_count then shipments.delivered_at end
        as delivered_at,
    coalesce(shipments.shipments, []) as shipments,
    orders.cancelled_at is null
        and orders.financial_status not in ('refunded', 'voided')
        and (shipments.shipment_count is null or shipments.delivered_count < shipments.shipment_count)
        as is_in_flight,
from orders
inner join placed using (order_id)
left join shipments using (order_id)
