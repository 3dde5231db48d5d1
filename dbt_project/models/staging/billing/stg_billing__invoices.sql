-- One row per Stripe invoice (in_ id): the version from the latest batch (Stripe objects carry
-- no modification time), then the last line. Amounts are integer cents; times Unix seconds.
-- Incremental (macros/staging_incremental.sql): a run reads the deliveries loaded since the last
-- build and merges them with the held version of each key they name.
{{ config(
    materialized='incremental',
    unique_key='invoice_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set payload_shape = {
    "customer": "VARCHAR",
    "customer_email": "VARCHAR",
    "status": "VARCHAR",
    "amount_due": "VARCHAR",
    "amount_paid": "VARCHAR",
    "amount_remaining": "VARCHAR",
    "currency": "VARCHAR",
    "attempt_count": "VARCHAR",
    "next_payment_attempt": "VARCHAR",
    "billing_reason": "VARCHAR",
    "created": "VARCHAR",
    "due_date": "VARCHAR",
    "status_transitions": {"finalized_at": "VARCHAR", "paid_at": "VARCHAR", "voided_at": "VARCHAR"},
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
    from {{ source('raw', 'billing__invoices') }}
    {{ staging_new_deliveries(source('raw', 'billing__invoices')) }}
),

renamed as (
    select
        record_key as invoice_id,
        {{ clean_text('record.customer') }} as billing_customer_id,
        {{ clean_text('record.customer_email') }} as customer_email,
        {{ normalize_email('record.customer_email') }} as customer_email_normalized,
        {{ clean_text('record.status') }} as invoice_status,
        try_cast(record.amount_due as bigint) as amount_due_cents,
        try_cast(record.amount_paid as bigint) as amount_paid_cents,
        try_cast(record.amount_remaining as bigint) as amount_remaining_cents,
        upper({{ clean_text('record.currency') }}) as currency,
        try_cast(record.attempt_count as integer) as attempt_count,
        {{ to_utc('record.next_payment_attempt') }} as next_payment_attempt_at,
        {{ clean_text('record.billing_reason') }} as billing_reason,
        {{ to_utc('record.created') }} as created_at,
        {{ to_utc('record.due_date') }} as due_at,
        {{ to_utc('record.status_transitions.finalized_at') }} as finalized_at,
        {{ to_utc('record.status_transitions.paid_at') }} as paid_at,
        {{ to_utc('record.status_transitions.voided_at') }} as voided_at,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from source
),

versions as (
    {{ staging_versions_with_held('renamed', 'invoice_id') }}
),

deduplicated as (
    select * from versions
    qualify row_number() over (
        partition by invoice_id
        order by batch_id desc, line_number desc
    ) = 1
)

select * from deduplicated
