-- One row per Shopify order (id): the latest version by updated_at (then latest batch, then
-- last line). A changed order is re-delivered whole, so the nested line items, fulfillments and
-- refunds of the winning version are complete; they are kept as JSON here and unnested by
-- stg_commerce__order_line_items / _order_fulfillments / _order_refunds.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set address_shape = {
    "first_name": "VARCHAR",
    "last_name": "VARCHAR",
    "address1": "VARCHAR",
    "address2": "VARCHAR",
    "city": "VARCHAR",
    "province_code": "VARCHAR",
    "zip": "VARCHAR",
    "country_code": "VARCHAR",
    "phone": "VARCHAR",
} %}
{%- set payload_shape = {
    "name": "VARCHAR",
    "order_number": "VARCHAR",
    "email": "VARCHAR",
    "phone": "VARCHAR",
    "customer": "JSON",
    "created_at": "VARCHAR",
    "updated_at": "VARCHAR",
    "processed_at": "VARCHAR",
    "cancelled_at": "VARCHAR",
    "cancel_reason": "VARCHAR",
    "financial_status": "VARCHAR",
    "fulfillment_status": "VARCHAR",
    "currency": "VARCHAR",
    "total_price": "VARCHAR",
    "billing_address": address_shape,
    "shipping_address": address_shape,
    "line_items": "JSON",
    "fulfillments": "JSON",
    "refunds": "JSON",
    "browser_ip": "VARCHAR",
    "note_attributes": "JSON",
} %}

with

source as (
    select
        record_key,
        {{ parse_json_payload('payload', payload_shape) }} as record,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from {{ source('raw', 'commerce__orders') }}
    {{ staging_new_deliveries(source('raw', 'commerce__orders')) }}
),

unnested as (
    select
        *,
        {{ parse_json_payload('record.customer', {"id": "VARCHAR", "email": "VARCHAR"}) }} as customer,
        {{ parse_json_payload('record.note_attributes', [{"name": "VARCHAR", "value": "VARCHAR"}]) }}
            as note_attribute_list,
    from source
),

renamed as (
    select
        try_cast(record_key as bigint) as order_id,
        {{ clean_text('record.name') }} as order_name,
        try_cast(record.order_number as bigint) as order_number,
        {{ clean_text('record.email') }} as email,
        {{ normalize_email('record.email') }} as email_normalized,
        {{ clean_text('record.phone') }} as phone,
        try_cast({{ clean_text('customer.id') }} as bigint) as commerce_customer_id,
        {{ clean_text('customer.email') }} as customer_email,
        {{ normalize_email('customer.email') }} as customer_email_normalized,
        record.customer is null as is_guest_checkout,
        {{ to_utc('record.created_at') }} as created_at,
        {{ to_utc('record.updated_at') }} as updated_at,
        {{ to_utc('record.processed_at') }} as processed_at,
        {{ to_utc('record.cancelled_at') }} as cancelled_at,
        {{ clean_text('record.cancel_reason') }} as cancel_reason,
        {{ clean_text('record.financial_status') }} as financial_status,
        {{ clean_text('record.fulfillment_status') }} as fulfillment_status,
        upper({{ clean_text('record.currency') }}) as currency,
        try_cast({{ clean_text('record.total_price') }} as decimal(18, 2)) as total_price_amount,
        {% for prefix in ['billing', 'shipping'] -%}
        {{ clean_text('record.' ~ prefix ~ '_address.first_name') }} as {{ prefix }}_first_name,
        {{ clean_text('record.' ~ prefix ~ '_address.last_name') }} as {{ prefix }}_last_name,
        {{ clean_text('record.' ~ prefix ~ '_address.address1') }} as {{ prefix }}_address_line1,
        {{ clean_text('record.' ~ prefix ~ '_address.address2') }} as {{ prefix }}_address_line2,
        {{ clean_text('record.' ~ prefix ~ '_address.city') }} as {{ prefix }}_city,
        {{ clean_text('record.' ~ prefix ~ '_address.province_code') }} as {{ prefix }}_province_code,
        {{ clean_text('record.' ~ prefix ~ '_address.zip') }} as {{ prefix }}_zip,
        {{ clean_text('record.' ~ prefix ~ '_address.country_code') }} as {{ prefix }}_country_code,
        {{ clean_text('record.' ~ prefix ~ '_address.phone') }} as {{ prefix }}_phone,
        {% endfor -%}
        {{ clean_text('record.browser_ip') }} as browser_ip,
        {{ clean_text(
            "list_extract(list_filter(note_attribute_list, lambda a: a.name = 'segment_anonymous_id'), 1).value"
        ) }} as segment_anonymous_id,
        record.line_items as line_items,
        record.fulfillments as fulfillments,
        record.refunds as refunds,
        record.note_attributes as note_attributes,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from unnested
),

versions as (
    {{ staging_versions_with_held('renamed', 'order_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by order_id
        order by updated_at desc nulls last, batch_id desc, line_number desc
    ) = 1
)

select * from deduplicated
