-- One row per billing account: a live Stripe customer (which may pay for a whole household) or a
-- CRM Household account that groups several persons. billing_account_id is `stripe:<cus_...>`
-- or `crm:<AccountId>`; the persons are in bdg_customer_billing_accounts.
with

links as (
    select * from {{ ref('bdg_customer_billing_accounts') }}
),

link_counts as (
    select
        billing_account_id,
        min(customer_id) filter (where customer_role = 'payer') as payer_customer_id,
        count(*) as customer_count,
        count(*) filter (where customer_role = 'covered') as covered_customer_count,
    from links
    group by billing_account_id
),

stripe as (
    select
        'stripe:' || billing_customer_id as billing_account_id,
        'stripe_customer' as account_type,
        'billing' as source_system,
        billing_customer_id as source_record_id,
        customer_name as account_name,
        email_normalized as account_email,
        is_delinquent,
        created_at,
    from {{ ref('stg_billing__customers') }}
    where not is_deleted
),

crm_households as (
    select
        'crm:' || crm_account_id as billing_account_id,
        'crm_household_account' as account_type,
        'crm' as source_system,
        crm_account_id as source_record_id,
        account_name,
        null::varchar as account_email,
        null::boolean as is_delinquent,
        created_at,
    from {{ ref('stg_crm__accounts') }}
    where account_type = 'Household' and not is_deleted
),

accounts as (
    select * from stripe
    union all
    select * from crm_households
)

select
    accounts.billing_account_id,
    accounts.account_type,
    accounts.source_system,
    accounts.source_record_id,
    accounts.account_name,
    accounts.account_email,
    accounts.is_delinquent,
    link_counts.payer_customer_id,
    link_counts.customer_count,
    link_counts.covered_customer_count,
    accounts.created_at,
from accounts
-- an account none of whose persons resolved (all erased or merged away) is not listed
inner join link_counts using (billing_account_id)
