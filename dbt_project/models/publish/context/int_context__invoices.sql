-- One row per Stripe invoice of a published customer (placed as the timeline places it) that is
-- open or failed (open while Stripe retries, uncollectible when it gave up), with its latest
-- charge failure.
with

placed as (
    select distinct customer_id, source_record_id as invoice_id,
    from {{ ref('customer_timeline') }}
    where source_system = 'billing' and source_entity = 'invoices'
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
    placed.customer_id,
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
inner join placed using (invoice_id)
left join charges using (invoice_id)
where invoices.invoice_status in ('open', 'uncollectible')
