-- One row per email or phone the enterprise holds beside its identity records, as typed
-- (standardised where it is used: the phone readings memo, bdg_identifier_lookup), with whose it
-- is: the identity record it was given for (`record_uid`), or for an order the order itself
-- (`order_id`), which the lookup resolves as it resolves the order (its Shopify customer, a
-- guest checkout's email or storefront anonymousId). These are the identifiers a customer gives
-- when buying, paying or asking for help, which identity's records do not carry:
--   commerce orders: the order's email and phone, its billing and shipping address phones;
--   Stripe charges: billing_details email and phone (the charge's Stripe customer's);
--   Salesforce accounts: the account Phone, for each contact of an Individual or Household
--     account (a household's number is every member's, and so shared by the lookup's rule);
--   Amazon Connect pre-chat forms: the customer_email of a contact whose caller authenticated
--     (crm_contact_id).
-- `observed_name_given` / `observed_name_family` are the name the value was given under, when
-- the source states one (an address's or a card's holder): the lookup counts the value as the
-- customer's only when that name can be one of theirs (a gift's recipient is not the buyer).
-- `observed_in` is the source record the value was read from (system:entity:id).

with

orders as (
    select * from {{ ref('stg_commerce__orders') }}
),

order_values as (
    select
        order_id,
        email,
        phone,
        billing_phone,
        billing_first_name,
        billing_last_name,
        billing_country_code,
        shipping_phone,
        shipping_first_name,
        shipping_last_name,
        shipping_country_code,
        coalesce(updated_at, created_at) as observed_at,
    from orders
),

crm_contacts as (
    select crm_contact_id, crm_account_id, mailing_country, last_modified_at,
    from {{ ref('stg_crm__contacts') }}
    where not is_deleted
),

observations as (
    select cast(null as varchar) as record_uid, order_id, 'email' as identifier_type,
        email as value_raw, cast(null as varchar) as country_raw, 'order_email' as observed_via,
        cast(null as varchar) as observed_name_given, cast(null as varchar) as observed_name_family,
        observed_at, 'commerce:orders:' || order_id as observed_in,
    from order_values where email is not null
    union all
    select null, order_id, 'phone', phone, coalesce(billing_country_code, shipping_country_code),
        'order_phone', null, null, observed_at, 'commerce:orders:' || order_id,
    from order_values where phone is not null
    union all
    select null, order_id, 'phone', billing_phone, billing_country_code,
        'order_billing_phone', billing_first_name, billing_last_name, observed_at,
        'commerce:orders:' || order_id,
    from order_values where billing_phone is not null
    union all
    select null, order_id, 'phone', shipping_phone, shipping_country_code,
        'order_shipping_phone', shipping_first_name, shipping_last_name, observed_at,
        'commerce:orders:' || order_id,
    from order_values where shipping_phone is not null

    union all
    select 'billing:customers:' || billing_customer_id, null, 'email', billing_email, null,
        'charge_billing_email', given_name_of(billing_name), family_name_of(billing_name), created_at,
        'billing:charges:' || charge_id,
    from {{ ref('stg_billing__charges') }}
    where billing_customer_id is not null and billing_email is not null
    union all
    select 'billing:customers:' || billing_customer_id, null, 'phone', billing_phone,
        billing_address_country,
        'charge_billing_phone', given_name_of(billing_name), family_name_of(billing_name), created_at,
        'billing:charges:' || charge_id,
    from {{ ref('stg_billing__charges') }}
    where billing_customer_id is not null and billing_phone is not null

    union all
    select 'crm:contacts:' || contacts.crm_contact_id, null, 'phone', accounts.phone,
        coalesce(contacts.mailing_country, accounts.billing_country),
        'crm_account_phone', null, null, greatest(accounts.last_modified_at, contacts.last_modified_at),
        'crm:accounts:' || accounts.crm_account_id,
    from {{ ref('stg_crm__accounts') }} as accounts
    inner join crm_contacts as contacts using (crm_account_id)
    where not accounts.is_deleted
        and accounts.phone is not null
        -- a Business account's number is the company's switchboard, not a person's
        and lower(accounts.account_type) in ('individual', 'household')

    union all
    select 'crm:contacts:' || crm_contact_id, null, 'email', customer_email, null,
        'prechat_email', null, null, initiated_at, 'contact_center:contact_records:' || contact_id,
    from {{ ref('stg_contact_center__contact_records') }}
    where crm_contact_id is not null and customer_email is not null
)

select * from observations
