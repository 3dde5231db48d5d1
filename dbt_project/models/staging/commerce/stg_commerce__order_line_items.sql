-- One row per line item of the current version of each Shopify order (order_id,
-- line_item_index). The contract gives line items no id, so the key is the order and the
-- 1-based position in its line_items array.
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
        currency,
        try_cast(line_items as json[]) as line_item_list,
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
        currency,
        unnest(line_item_list) as line_item,
        generate_subscripts(line_item_list, 1) as line_item_index,
        batch_id,
        source_file,
        line_number,
    from orders
),

renamed as (
    select
        concat(order_id, '-', line_item_index) as order_line_item_id,
        order_id,
        order_name,
        line_item_index,
        {{ clean_text("line_item->>'$.sku'") }} as sku,
        {{ clean_text("line_item->>'$.title'") }} as title,
        try_cast(line_item ->> '$.quantity' as bigint) as quantity,
        try_cast({{ clean_text("line_item->>'$.price'") }} as decimal(18, 2)) as price_amount,
        currency,
        line_item,
        batch_id,
        source_file,
        line_number,
    from unnested
)

select * from renamed
