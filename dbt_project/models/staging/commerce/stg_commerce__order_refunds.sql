-- One row per refund of the current version of each Shopify order (refund id), with the sum of
-- its transactions' amounts in the order's currency.
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
        currency,
        try_cast(refunds as json[]) as refund_list,
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
        currency,
        unnest(refund_list) as refund,
        generate_subscripts(refund_list, 1) as refund_index,
        batch_id,
        source_file,
        line_number,
    from orders
),

renamed as (
    select
        {{ clean_text("refund->>'$.id'") }} as refund_id,
        order_id,
        order_name,
        commerce_customer_id,
        refund_index,
        {{ to_utc("refund->>'$.created_at'") }} as created_at,
        {{ clean_text("refund->>'$.note'") }} as note,
        {{ parse_json_payload("refund->'$.transactions'", [{"amount": "VARCHAR"}]) }} as transaction_list,
        currency,
        refund -> '$.transactions' as transactions,
        batch_id,
        source_file,
        line_number,
    from unnested
)

select
    refund_id,
    order_id,
    order_name,
    commerce_customer_id,
    refund_index,
    created_at,
    note,
    coalesce(
        list_sum(
            list_transform(transaction_list, lambda t: try_cast(trim(t.amount) as decimal(18, 2)))
        ),
        0
    )::decimal(18, 2) as refund_amount,
    coalesce(len(transaction_list), 0) as transaction_count,
    currency,
    transactions,
    batch_id,
    source_file,
    line_number,
from renamed
