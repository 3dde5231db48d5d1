-- One row per guardrail decision: what an AI agent may do for a customer, decided by a rule of
-- policies/guardrails.yml (parameters read through guardrail_number / guardrail_list), with the
-- facts that decided it. Deterministic: the same data and policy give the same decisions, and
-- "now" is the data's as-of (int_journeys__as_of), never the wall clock.
--
-- decision: allow | deny | escalate | verify_first
with

as_of as (
    select max(as_of) as as_of from {{ ref('int_journeys__as_of') }}
),

policy as (
    select
        guardrail_number('refund_window', 'window_days') as refund_window_days,
        guardrail_number('escalate_repeated_failures', 'max_failed_contacts') as max_failed_contacts,
        guardrail_number('escalate_repeated_failures', 'window_days') as failure_window_days,
),

customers as (
    select customer_id, email_opt_in, email_consent_basis, email_opt_in_source_system,
        email_opt_in_source_record_id, do_not_call, do_not_call_source_system,
        do_not_call_source_record_id,
    from {{ ref('customer_profile') }}
),

-- refund_window: one decision per delivered order, and per order still on its way
refunds as (
    select
        orders.customer_id,
        'refund_window' as rule_id,
        'refund_order' as action,
        orders.order_name as subject,
        case
            when orders.delivered_at is null then 'deny'
            when as_of.as_of <= orders.delivered_at + to_days(cast(policy.refund_window_days as integer))
                then 'allow'
            else 'deny'
        end as decision,
        case
            when orders.delivered_at is null then 'not delivered yet'
            when as_of.as_of <= orders.delivered_at + to_days(cast(policy.refund_window_days as integer))
                then 'delivered ' || datediff('day', orders.delivered_at, as_of.as_of)
                    || ' days ago, within the ' || cast(policy.refund_window_days as integer) || '-day window'
            else 'delivered ' || datediff('day', orders.delivered_at, as_of.as_of)
                || ' days ago, past the ' || cast(policy.refund_window_days as integer) || '-day window'
        end as reason,
        to_json(struct_pack(
            order_name := orders.order_name,
            delivered_at := orders.delivered_at,
            window_days := cast(policy.refund_window_days as integer),
            as_of := as_of.as_of
        )) as facts,
    from {{ ref('int_context__orders') }} as orders, as_of, policy
    where orders.cancelled_at is null
        and orders.financial_status not in ('refunded', 'voided')
        and (orders.is_in_flight
            or orders.delivered_at >= as_of.as_of - to_days(2 * cast(policy.refund_window_days as integer)))
),

failed_contacts as (
    select
        contacts.customer_id,
        count(*) as failed_contacts,
        list(contacts.contact_id order by contacts.initiated_at) as failed_contact_ids,
    from {{ ref('int_context__contacts') }} as contacts, as_of, policy
    where contacts.is_failed
        and contacts.initiated_at > as_of.as_of - to_days(cast(policy.failure_window_days as integer))
        and contacts.initiated_at <= as_of.as_of
    group by contacts.customer_id
),

escalation as (
    select
        customers.customer_id,
        'escalate_repeated_failures' as rule_id,
        'continue_with_ai' as action,
        null as subject,
        case when coalesce(failed.failed_contacts, 0) >= policy.max_failed_contacts
            then 'escalate' else 'allow' end as decision,
        coalesce(failed.failed_contacts, 0) || ' unresolved contacts in the last '
            || cast(policy.failure_window_days as integer) || ' days (escalate at '
            || cast(policy.max_failed_contacts as integer) || ')' as reason,
        to_json(struct_pack(
            failed_contacts := coalesce(failed.failed_contacts, 0),
            contact_ids := coalesce(failed.failed_contact_ids, []),
            max_failed_contacts := cast(policy.max_failed_contacts as integer),
            window_days := cast(policy.failure_window_days as integer),
            as_of := as_of.as_of
        )) as facts,
    from customers
    left join failed_contacts as failed using (customer_id)
    cross join policy
    cross join as_of
),

marketing as (
    select
        customer_id,
        'marketing_requires_opt_in' as rule_id,
        'send_marketing' as action,
        null as subject,
        case when email_opt_in then 'allow' else 'deny' end as decision,
        case when email_opt_in then 'opted in to email marketing'
            else 'no email opt-in (' || coalesce(email_consent_basis, 'no statement') || ')' end as reason,
        to_json(struct_pack(
            email_opt_in := email_opt_in,
            basis := email_consent_basis,
            source_system := email_opt_in_source_system,
            source_record_id := email_opt_in_source_record_id
        )) as facts,
    from customers
),

open_balances as (
    select customer_id, sum(amount_remaining_cents) as open_balance_cents, count(*) as open_invoices,
    from {{ ref('int_context__invoices') }}
    group by customer_id
),

balance as (
    select
        customers.customer_id,
        'balance_requires_verification' as rule_id,
        'quote_balance' as action,
        null as subject,
        'verify_first' as decision,
        'quote a balance only after the caller''s identity is verified' as reason,
        to_json(struct_pack(
            open_invoices := coalesce(open_balances.open_invoices, 0),
            open_balance_cents := coalesce(open_balances.open_balance_cents, 0)
        )) as facts,
    from customers
    left join open_balances using (customer_id)
),

calls as (
    select
        customer_id,
        'do_not_call' as rule_id,
        'outbound_call' as action,
        null as subject,
        case when do_not_call then 'deny' else 'allow' end as decision,
        case when do_not_call then 'flagged do-not-call' else 'no do-not-call flag' end as reason,
        to_json(struct_pack(
            do_not_call := do_not_call,
            source_system := do_not_call_source_system,
            source_record_id := do_not_call_source_record_id
        )) as facts,
    from customers
)

select customer_id, rule_id, action, subject, decision, reason, facts, from refunds
union all by name
select customer_id, rule_id, action, subject, decision, reason, facts, from escalation
union all by name
select customer_id, rule_id, action, subject, decision, reason, facts, from marketing
union all by name
select customer_id, rule_id, action, subject, decision, reason, facts, from balance
union all by name
select customer_id, rule_id, action, subject, decision, reason, facts, from calls
