-- One row per Shopify order: its normalised name and the customer it belongs to, through the
-- ordering Shopify customer, else (guest checkout) the order's email, its phone, or the
-- storefront's Segment anonymousId. Other events reach an order's customer through this model
-- (an order name typed in a ticket or a contact attribute, a tracking code of its shipment).
{{ config(materialized='table') }}
with

orders as (
    select
        order_id,
        coalesce({{ normalize_order_name('order_name') }}, order_name) as order_name,
        commerce_customer_id,
        email_normalized,
        customer_email_normalized,
        phone,
        shipping_country_code,
        segment_anonymous_id,
        created_at,
    from {{ ref('stg_commerce__orders') }}
),

subject_references as (
    select cast(order_id as varchar) as subject_key, 1 as ref_rank,
        'commerce_customer_id' as identifier_type,
        cast(commerce_customer_id as varchar) as identifier_value,
    from orders where commerce_customer_id is not null
    union all
    select cast(order_id as varchar), 2, 'email', email_normalized,
    from orders where email_normalized is not null
    union all
    select cast(order_id as varchar), 2, 'email', customer_email_normalized,
    from orders where customer_email_normalized is not null
    union all
    select cast(orders.order_id as varchar), 3, 'phone',
        {{ memoised_phone('readings', 'orders.phone', identity_phone_country('orders.shipping_country_code')) }},
    from orders
    left join {{ ref('int_identity__phone_readings') }} as readings
        on readings.reading_key = {{ identity_reading_key([
            'orders.phone', identity_phone_country('orders.shipping_country_code')
        ]) }}
    where orders.phone is not null
    union all
    select cast(order_id as varchar), 4, 'anonymous_id', segment_anonymous_id,
    from orders where segment_anonymous_id is not null
),

identifiers as (
    select * from {{ ref('int_journeys__known_identifiers') }}
),

{{ resolve_references('subject_references', 'identifiers') }}

select
    orders.order_id,
    orders.order_name,
    orders.created_at,
    resolved.customer_id,
    case when resolved.customer_id is not null then 'order:' || resolved.attribution_path end
        as attribution_path,
    case
        when resolved.customer_id is not null then null
        else coalesce(resolved.unattributed_reason, 'no_identifier')
    end as unattributed_reason,
from orders
left join resolved_references as resolved
    on cast(orders.order_id as varchar) = resolved.subject_key
