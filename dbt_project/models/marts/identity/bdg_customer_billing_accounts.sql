-- One row per billing account and customer it relates to, with the customer's role:
--   payer    the person behind a Stripe customer (its own record resolves to them);
--   covered  a person a Stripe customer pays for: named in its metadata (crm_contact_id,
--            shop_customer_id) while resolving to someone else, or a member of a household in
--            which the payer is the only one with a Stripe customer (inferred: link_basis says
--            so; with two payers in one household nothing is inferred);
--   member   a contact of a CRM Household account.
-- A billing account is never a person: payer and covered persons keep their own customer_id.
with

records as (
    select * from {{ ref('int_customer_records_linked') }}
),

stripe_customers as (
    select * from {{ ref('stg_billing__customers') }}
    where not is_deleted
),

payers as (
    select
        'stripe:' || stripe_customers.billing_customer_id as billing_account_id,
        records.customer_id,
        stripe_customers.crm_contact_id,
        stripe_customers.shop_customer_id,
    from stripe_customers
    inner join records
        on records.source_system = 'billing'
        and records.source_entity = 'customers'
        and records.source_record_id = stripe_customers.billing_customer_id
),

metadata_named as (
    -- two equality joins (not one join on an OR, which cannot hash)
    select payers.billing_account_id, records.customer_id,
    from payers
    inner join records
        on records.source_system = 'crm'
        and records.source_entity = 'contacts'
        and records.source_record_id = payers.crm_contact_id
    where records.customer_id <> payers.customer_id

    union

    select payers.billing_account_id, records.customer_id,
    from payers
    inner join records
        on records.source_system = 'commerce'
        and records.source_entity = 'customers'
        and records.source_record_id = payers.shop_customer_id
    where records.customer_id <> payers.customer_id
),

own_stripe_customers as (
    select distinct customer_id,
    from payers
),

household_payers as (
    -- households where exactly one member pays through Stripe: that payer covers the others;
    -- with two or more payers, who pays for whom is unknown, and nothing is inferred
    select payer_household.household_id, min(payers.billing_account_id) as billing_account_id,
    from payers
    inner join {{ ref('int_households_grouped') }} as payer_household
        on payers.customer_id = payer_household.customer_id
    group by payer_household.household_id
    having count(distinct payers.customer_id) = 1 and count(*) = 1
),

household_covered as (
    select household_payers.billing_account_id, members.customer_id,
    from household_payers
    inner join {{ ref('int_households_grouped') }} as members
        on household_payers.household_id = members.household_id
    where members.customer_id not in (select customer_id from own_stripe_customers)
),

crm_household_members as (
    select distinct
        'crm:' || contacts.crm_account_id as billing_account_id,
        records.customer_id,
    from records
    inner join {{ ref('stg_crm__contacts') }} as contacts
        on records.source_system = 'crm'
        and records.source_entity = 'contacts'
        and records.source_record_id = contacts.crm_contact_id
    inner join {{ ref('stg_crm__accounts') }} as accounts
        on contacts.crm_account_id = accounts.crm_account_id
    where records.is_live
        and accounts.account_type = 'Household'
        and not accounts.is_deleted
),

links as (
    select billing_account_id, customer_id, 'payer' as customer_role,
        'billing_customer_record' as link_basis, 1 as priority,
    from payers
    union all
    select billing_account_id, customer_id, 'covered', 'stripe_metadata', 2,
    from metadata_named
    union all
    select billing_account_id, customer_id, 'covered', 'payer_household', 3,
    from household_covered
    union all
    select billing_account_id, customer_id, 'member', 'crm_account_contact', 4,
    from crm_household_members
)

select billing_account_id, customer_id, customer_role, link_basis,
from links
qualify row_number() over (
    partition by billing_account_id, customer_id order by priority
) = 1
