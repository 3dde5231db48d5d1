-- One row per Stripe charge (ch_ id): the version from the latest batch (a pending charge is
-- delivered again when it succeeds or fails), then the last line. Amounts are integer cents.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='charge_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "customer": "VARCHAR",
    "invoice": "VARCHAR",
    "payment_intent": "VARCHAR",
    "amount": "VARCHAR",
    "currency": "VARCHAR",
    "status": "VARCHAR",
    "failure_code": "VARCHAR",
    "failure_message": "VARCHAR",
    "outcome": {
        "type": "VARCHAR",
        "network_status": "VARCHAR",
        "reason": "VARCHAR",
        "seller_message": "VARCHAR",
    },
    "billing_details": {
        "name": "VARCHAR",
        "email": "VARCHAR",
        "phone": "VARCHAR",
        "address": "JSON",
    },
    "created": "VARCHAR",
} %}
{%- set address_shape = {
    "line1": "VARCHAR",
    "line2": "VARCHAR",
    "city": "VARCHAR",
    "state": "VARCHAR",
    "postal_code": "VARCHAR",
    "country": "VARCHAR",
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
    from {{ source('raw', 'billing__charges') }}
    {{ staging_new_deliveries(source('raw', 'billing__charges')) }}
),

unnested as (
    select
        *,
        {{ parse_json_payload('record.billing_details.address', address_shape) }} as billing_address,
    from source
),

renamed as (
    select
        record_key as charge_id,
        {{ clean_text('record.customer') }} as billing_customer_id,
        {{ clean_text('record.invoice') }} as invoice_id,
        {{ clean_text('record.payment_intent') }} as payment_intent_id,
        try_cast(record.amount as bigint) as amount_cents,
        upper({{ clean_text('record.currency') }}) as currency,
        {{ clean_text('record.status') }} as charge_status,
        {{ clean_text('record.failure_code') }} as failure_code,
        {{ clean_text('record.failure_message') }} as failure_message,
        {{ clean_text('record.outcome.type') }} as outcome_type,
        {{ clean_text('record.outcome.network_status') }} as outcome_network_status,
        {{ clean_text('record.outcome.reason') }} as outcome_reason,
        {{ clean_text('record.outcome.seller_message') }} as outcome_seller_message,
        {{ clean_text('record.billing_details.name') }} as billing_name,
        {{ clean_text('record.billing_details.email') }} as billing_email,
        {{ normalize_email('record.billing_details.email') }} as billing_email_normalized,
        {{ clean_text('record.billing_details.phone') }} as billing_phone,
        {{ clean_text('billing_address.line1') }} as billing_address_line1,
        {{ clean_text('billing_address.line2') }} as billing_address_line2,
        {{ clean_text('billing_address.city') }} as billing_address_city,
        {{ clean_text('billing_address.state') }} as billing_address_state,
        {{ clean_text('billing_address.postal_code') }} as billing_address_postal_code,
        {{ clean_text('billing_address.country') }} as billing_address_country,
        {{ to_utc('record.created') }} as created_at,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from unnested
),

versions as (
    {{ staging_versions_with_held('renamed', 'charge_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by charge_id
        order by batch_id desc, line_number desc
    ) = 1
)

select * from deduplicated
