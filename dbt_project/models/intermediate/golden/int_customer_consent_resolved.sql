-- One row per customer: golden consent, the most restrictive statement of their live records
-- (SOURCES.md "Consent statements").
--   email: an opt-out (CRM HasOptedOutOfEmail=true, Shopify unsubscribed) beats any opt-in
--          (Shopify subscribed); no opt-in means not opted in.
--   phone: any DoNotCall=true means do not call.
-- Provenance names the statement that decided: the latest opt-out when there is one, else the
-- latest opt-in; null when no record states anything.
with

records as (
    select * from {{ ref('int_customer_records_linked') }}
    where is_live
),

email_statements as (
    select
        customer_id,
        case when email_opt_out then 'opt_out' else 'opt_in' end as statement,
        source_system,
        source_record_id,
        coalesce(email_consent_at, observed_at) as stated_at,
        record_uid,
    from records
    where coalesce(email_opt_out, false) or coalesce(email_opt_in, false)
),

email_decider as (
    select *,
    from email_statements
    qualify row_number() over (
        partition by customer_id
        order by (statement = 'opt_out') desc, stated_at desc nulls last, record_uid asc
    ) = 1
),

phone_decider as (
    select
        customer_id,
        source_system,
        source_record_id,
        observed_at as stated_at,
    from records
    where coalesce(do_not_call, false)
    qualify row_number() over (
        partition by customer_id order by observed_at desc nulls last, record_uid asc
    ) = 1
),

customers as (
    select distinct customer_id from records
)

select
    customers.customer_id,
    coalesce(email_decider.statement = 'opt_in', false) as email_opt_in,
    coalesce(email_decider.statement, 'none') as email_consent_basis,
    email_decider.source_system as email_opt_in_source_system,
    email_decider.source_record_id as email_opt_in_source_record_id,
    email_decider.stated_at as email_opt_in_observed_at,
    phone_decider.customer_id is not null as do_not_call,
    phone_decider.source_system as do_not_call_source_system,
    phone_decider.source_record_id as do_not_call_source_record_id,
    phone_decider.stated_at as do_not_call_observed_at,
from customers
left join email_decider using (customer_id)
left join phone_decider using (customer_id)
