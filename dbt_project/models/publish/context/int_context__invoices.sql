-- One row per Stripe invoice of a known customer (through its Stripe customer) that is open or
-- failed: not paid, voided or a draft, or with a declined charge; with its latest charge failure.
with

identifiers as (
    select * from {{ ref('int_context__customer_identifiers') }}
    where identifier_type = 'billing_customer_id'
),

charges as (
    select
        invoice_id,
        count(*) filter (where charge_status = 'failed') as failed_charge_count,
        arg_max(failure_code, created_at) filter (where charge_status = 'failed') as last_failure_code,
        max(created_at) filter (where charge_status = 'failed') as last_failed_at,
    from {{ ref('stg_billing__charges') }}
    where invoice_id is not null
    group by invoice_id
)

select
    identifiers.customer_id,
    invoices.invoice_id,
    invoices.invoice_status,
    invoices.amount_due_cents,
    invoices.amount_remaining_cents,
    invoices.currency,
    invoices.attempt_count,
    invoices.next_payment_attempt_at,
    invoices.due_at,
    invoices.created_at,
    coalesce(charges.failed_charge_count, 0) as failed_charge_count,
    charges.last_failure_code,
    charges.last_failed_at,
from {{ ref('stg_billing__invoices') }} as invoices
inner join identifiers on identifiers.identifier_value = invoices.billing_customer_id
left join charges using (invoice_id)
where invoices.invoice_status in ('open', 'uncollectible')
