-- One row per fulfillment of the current version of each Shopify order (fulfillment id). The
-- tracking number is the only link from an order to a carrier shipment (EasyPost tracker).
-- Incremental by parent (macros/staging_incremental.sql): a run unnests the orders whose
-- version arrived since the last build and replaces all their rows.
-- depends_on: {{ source('raw', 'commerce__orders') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_parents',
    reread_parents={'model': 'stg_commerce__orders', 'key': 'order_id', 'raw': 'commerce__orders'},
    on_schema_change='fail',
) }}
with

orders as (
    select
        order_id,
        order_name,
        commerce_customer_id,
        try_cast(fulfillments as json[]) as fulfillment_list,
        batch_id,
        source_file,
        line_number,
    from {{ ref('stg_commerce__orders') }}
    {{ staging_reread_parents_filter() }}
),

unnested as (
    select
        order_id,
        order_name,
        commerce_customer_id,
        unnest(fulfillment_list) as fulfillment,
        generate_subscripts(fulfillment_list, 1) as fulfillment_index,
        batch_id,
        source_file,
        line_number,
    from orders
),

renamed as (
    select
        {{ clean_text("fulfillment->>'$.id'") }} as fulfillment_id,
        order_id,
        order_name,
        commerce_customer_id,
        fulfillment_index,
        {{ clean_text("fulfillment->>'$.status'") }} as fulfillment_status,
        {{ clean_text("fulfillment->>'$.tracking_company'") }} as tracking_company,
        {{ clean_text("fulfillment->>'$.tracking_number'") }} as tracking_number,
        {{ normalize_tracking_code("fulfillment->>'$.tracking_number'") }} as tracking_code_normalized,
        {{ to_utc("fulfillment->>'$.created_at'") }} as created_at,
        fulfillment,
        batch_id,
        source_file,
        line_number,
    from unnested
)

select * from renamed
