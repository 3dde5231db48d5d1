-- One row per email or phone the enterprise holds beside its identity records, pinned to the
-- identity record it belongs to, as typed (standardised where it is used: the phone readings
-- memo, bdg_identifier_lookup). These are the identifiers a customer gives when buying, paying
-- or asking for help, which identity's records do not carry:
--   commerce orders: the order's email and phone, its billing and shipping address phones
--     (the ordering Shopify customer's, or for a guest checkout the storefront anonymousId's);
--   Stripe charges: billing_details email and phone (the charge's Stripe customer's);
--   Salesforce accounts: the account Phone, for each contact of an Individual or Household
--     account (a household's number is every member's, and so shared by the lookup's rule);
--   Amazon Connect pre-chat forms: the customer_email of a contact whose caller authenticated
--     (crm_contact_id).
-- `observed_name_given` / `observed_name_family` are the name the value was given under, when
-- the source states one (an address's or a card's holder): the lookup counts the value as the
-- record's only when that name can be the record's person (a gift's recipient is not the buyer).

with

orders as (
    select * from {{ ref('stg_commerce__orders') }}
),

-- the identity record an order belongs to: its Shopify customer, else its storefront browser
order_owners as (
    select
        order_id,
        case
            when commerce_customer_id is not null
                then 'commerce:customers:' || cast(commerce_customer_id as varchar)
            when segment_anonymous_id is not null
                then 'digital:anonymous_id:' || segment_anonymous_id
        end as record_uid,
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
    select record_uid, 'email' as identifier_type, email as value_raw,
        cast(null as varchar) as country_raw, 'order_email' as observed_via,
        cast(null as varchar) as observed_name_given, cast(null as varchar) as observed_name_family,
        observed_at,
    from order_owners where email is not null
    union all
    select record_uid, 'phone', phone, coalesce(billing_country_code, shipping_country_code),
        'order_phone', null, null, observed_at,
    from order_owners where phone is not null
    union all
    select record_uid, 'phone', billing_phone, billing_country_code,
        'order_billing_phone', billing_first_name, billing_last_name, observed_at,
    from order_owners where billing_phone is not null
    union all
    select record_uid, 'phone', shipping_phone, shipping_country_code,
        'order_shipping_phone', shipping_first_name, shipping_last_name, observed_at,
    from order_owners where shipping_phone is not null

    union all
    select 'billing:customers:' || billing_customer_id, 'email', billing_email, null,
        'charge_billing_email', given_name_of(billing_name), family_name_of(billing_name), created_at,
    from {{ ref('stg_billing__charges') }}
    where billing_customer_id is not null and billing_email is not null
    union all
    select 'billing:customers:' || billing_customer_id, 'phone', billing_phone, billing_address_country,
        'charge_billing_phone', given_name_of(billing_name), family_name_of(billing_name), created_at,
    from {{ ref('stg_billing__charges') }}
    where billing_customer_id is not null and billing_phone is not null

    union all
    select 'crm:contacts:' || contacts.crm_contact_id, 'phone', accounts.phone,
        coalesce(contacts.mailing_country, accounts.billing_country),
        'crm_account_phone', null, null, greatest(accounts.last_modified_at, contacts.last_modified_at),
    from {{ ref('stg_crm__accounts') }} as accounts
    inner join crm_contacts as contacts using (crm_account_id)
    where not accounts.is_deleted
        and accounts.phone is not null
        -- a Business account's number is the company's switchboard, not a person's
        and lower(accounts.account_type) in ('individual', 'household')

    union all
    select 'crm:contacts:' || crm_contact_id, 'email', customer_email, null,
        'prechat_email', null, null, initiated_at,
    from {{ ref('stg_contact_center__contact_records') }}
    where crm_contact_id is not null and customer_email is not null
)

select * from observations
where record_uid is not null
