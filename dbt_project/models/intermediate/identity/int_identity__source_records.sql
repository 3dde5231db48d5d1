-- One row per identity-bearing source record, in one shape, with its identity attributes AS
-- DELIVERED (trimmed only): Salesforce contacts, Shopify customers, Stripe customers, Zendesk
-- end-users, and Segment identities (one row per anonymousId, one per userId). Standardisation
-- happens in int_identity__records; this model only maps each vendor's fields onto one contract.

with

crm_contacts as (
    select
        'crm' as source_system,
        'contacts' as source_entity,
        crm_contact_id as source_record_id,
        not is_deleted and master_record_id is null as is_live,
        master_record_id as survivor_source_record_id,
        first_name as given_name,
        last_name as family_name,
        cast(null as varchar) as full_name,
        email as email_raw,
        -- mobile first: the most personal number; HomePhone is often the household landline
        [mobile_phone, phone, home_phone] as phones_raw,
        birth_date,
        -- MailingStreet is a textarea: the first line is the street, the rest the unit
        {{ clean_text("split_part(replace(mailing_street, chr(13), ''), chr(10), 1)") }} as address_line1,
        {{ clean_text(
            "array_to_string(list_slice(string_split(replace(mailing_street, chr(13), ''), chr(10)), 2, -1), ' ')"
        ) }} as address_line2,
        mailing_city as city,
        mailing_state as region,
        mailing_postal_code as postal_code,
        mailing_country as country_raw,
        crm_contact_id,
        cast(null as bigint) as commerce_customer_id,
        cast(null as varchar) as billing_customer_id,
        cast(null as varchar) as support_user_id,
        cast(null as varchar) as anonymous_id,
        cast(null as varchar) as user_id,
        cast(null as boolean) as email_verified,
        last_modified_at as observed_at,
        created_at as first_seen_at,
        has_opted_out_of_email as email_opt_out,
        cast(null as boolean) as email_opt_in,
        is_do_not_call as do_not_call,
        last_modified_at as email_consent_at,
    from {{ ref('stg_crm__contacts') }}
),

commerce_customers as (
    select
        'commerce' as source_system,
        'customers' as source_entity,
        cast(commerce_customer_id as varchar) as source_record_id,
        true as is_live,
        cast(null as varchar) as survivor_source_record_id,
        first_name as given_name,
        last_name as family_name,
        cast(null as varchar) as full_name,
        email as email_raw,
        [phone, default_address_phone] as phones_raw,
        cast(null as date) as birth_date,
        default_address_line1 as address_line1,
        default_address_line2 as address_line2,
        default_address_city as city,
        default_address_province_code as region,
        default_address_zip as postal_code,
        default_address_country_code as country_raw,
        cast(null as varchar) as crm_contact_id,
        commerce_customer_id,
        cast(null as varchar) as billing_customer_id,
        cast(null as varchar) as support_user_id,
        cast(null as varchar) as anonymous_id,
        cast(null as varchar) as user_id,
        is_verified_email as email_verified,
        updated_at as observed_at,
        created_at as first_seen_at,
        case email_marketing_consent_state
            when 'unsubscribed' then true
            when 'subscribed' then false
            when 'not_subscribed' then false
        end as email_opt_out,
        case email_marketing_consent_state
            when 'subscribed' then true
            when 'unsubscribed' then false
            when 'not_subscribed' then false
        end as email_opt_in,
        cast(null as boolean) as do_not_call,
        email_marketing_consent_updated_at as email_consent_at,
    from {{ ref('stg_commerce__customers') }}
    where commerce_customer_id is not null
),

billing_customers as (
    select
        'billing' as source_system,
        'customers' as source_entity,
        billing_customer_id as source_record_id,
        not is_deleted as is_live,
        cast(null as varchar) as survivor_source_record_id,
        given_name_of(customer_name) as given_name,
        family_name_of(customer_name) as family_name,
        customer_name as full_name,
        email as email_raw,
        [phone] as phones_raw,
        cast(null as date) as birth_date,
        address_line1,
        address_line2,
        address_city as city,
        address_state as region,
        address_postal_code as postal_code,
        address_country as country_raw,
        crm_contact_id,
        commerce_customer_id,
        billing_customer_id,
        cast(null as varchar) as support_user_id,
        cast(null as varchar) as anonymous_id,
        cast(null as varchar) as user_id,
        cast(null as boolean) as email_verified,
        -- Stripe objects carry no modification time: the extraction that delivered them
        extracted_at as observed_at,
        created_at as first_seen_at,
        cast(null as boolean) as email_opt_out,
        cast(null as boolean) as email_opt_in,
        cast(null as boolean) as do_not_call,
        cast(null as timestamptz) as email_consent_at,
    from {{ ref('stg_billing__customers') }}
),

support_users as (
    select
        'support' as source_system,
        'users' as source_entity,
        support_user_id as source_record_id,
        true as is_live,
        cast(null as varchar) as survivor_source_record_id,
        given_name_of(user_name) as given_name,
        family_name_of(user_name) as family_name,
        user_name as full_name,
        email as email_raw,
        [phone] as phones_raw,
        cast(null as date) as birth_date,
        cast(null as varchar) as address_line1,
        cast(null as varchar) as address_line2,
        cast(null as varchar) as city,
        cast(null as varchar) as region,
        cast(null as varchar) as postal_code,
        cast(null as varchar) as country_raw,
        -- Zendesk external_id is "often the CRM id": kept as a candidate, checked downstream
        external_id as crm_contact_id,
        cast(null as bigint) as commerce_customer_id,
        cast(null as varchar) as billing_customer_id,
        support_user_id,
        cast(null as varchar) as anonymous_id,
        cast(null as varchar) as user_id,
        -- a Zendesk end-user is the requester of the email identity tickets are answered to
        email is not null as email_verified,
        updated_at as observed_at,
        created_at as first_seen_at,
        cast(null as boolean) as email_opt_out,
        cast(null as boolean) as email_opt_in,
        cast(null as boolean) as do_not_call,
        cast(null as timestamptz) as email_consent_at,
    from {{ ref('stg_support__users') }}
    where coalesce(user_role, 'end-user') = 'end-user'
),

segment_messages as (
    select
        anonymous_id,
        user_id,
        previous_id,
        event_type,
        traits_email,
        traits_phone,
        traits_first_name,
        traits_last_name,
        coalesce(received_at, occurred_at) as seen_at,
    from {{ ref('stg_digital__events') }}
),

-- every identity a message names: its anonymousId, its userId, an alias's previousId
digital_mentions as (
    select 'anonymous_id' as source_entity, anonymous_id as identity_value, * exclude (anonymous_id)
    from segment_messages where anonymous_id is not null
    union all
    select 'user_id', user_id, * exclude (user_id)
    from segment_messages where user_id is not null
    union all
    select 'anonymous_id', previous_id, * exclude (previous_id)
    from segment_messages where event_type = 'alias' and previous_id is not null
),

digital_identities as (
    -- traits: the latest identify that stated each trait
    select
        source_entity,
        identity_value,
        arg_max(traits_first_name, seen_at) filter (where traits_first_name is not null) as given_name,
        arg_max(traits_last_name, seen_at) filter (where traits_last_name is not null) as family_name,
        arg_max(traits_email, seen_at) filter (where traits_email is not null) as email_raw,
        arg_max(traits_phone, seen_at) filter (where traits_phone is not null) as phone_raw,
        max(seen_at) as observed_at,
        min(seen_at) as first_seen_at,
    from digital_mentions
    group by all
),

-- a guest checkout names its buyer on the order that carries the browser's anonymousId
guest_orders as (
    select
        segment_anonymous_id as anonymous_id,
        arg_max(coalesce(billing_first_name, shipping_first_name), created_at) as given_name,
        arg_max(coalesce(billing_last_name, shipping_last_name), created_at) as family_name,
        arg_max(email, created_at) as email_raw,
        arg_max(coalesce(phone, billing_phone, shipping_phone), created_at) as phone_raw,
        arg_max(coalesce(billing_address_line1, shipping_address_line1), created_at) as address_line1,
        arg_max(coalesce(billing_address_line2, shipping_address_line2), created_at) as address_line2,
        arg_max(coalesce(billing_city, shipping_city), created_at) as city,
        arg_max(coalesce(billing_province_code, shipping_province_code), created_at) as region,
        arg_max(coalesce(billing_zip, shipping_zip), created_at) as postal_code,
        arg_max(coalesce(billing_country_code, shipping_country_code), created_at) as country_raw,
    from {{ ref('stg_commerce__orders') }}
    where segment_anonymous_id is not null and commerce_customer_id is null
    group by all
),

digital as (
    select
        'digital' as source_system,
        identities.source_entity,
        identities.identity_value as source_record_id,
        true as is_live,
        cast(null as varchar) as survivor_source_record_id,
        -- identify traits first; a guest order's buyer when the browser never identified
        coalesce(identities.given_name, guest.given_name) as given_name,
        coalesce(identities.family_name, guest.family_name) as family_name,
        cast(null as varchar) as full_name,
        coalesce(identities.email_raw, guest.email_raw) as email_raw,
        [identities.phone_raw, guest.phone_raw] as phones_raw,
        cast(null as date) as birth_date,
        guest.address_line1,
        guest.address_line2,
        guest.city,
        guest.region,
        guest.postal_code,
        guest.country_raw,
        cast(null as varchar) as crm_contact_id,
        -- the Segment userId is the web account id, which is the Shopify customer id
        case when identities.source_entity = 'user_id' then try_cast(identities.identity_value as bigint) end
            as commerce_customer_id,
        cast(null as varchar) as billing_customer_id,
        cast(null as varchar) as support_user_id,
        case when identities.source_entity = 'anonymous_id' then identities.identity_value end as anonymous_id,
        case when identities.source_entity = 'user_id' then identities.identity_value end as user_id,
        cast(null as boolean) as email_verified,
        identities.observed_at,
        identities.first_seen_at,
        cast(null as boolean) as email_opt_out,
        cast(null as boolean) as email_opt_in,
        cast(null as boolean) as do_not_call,
        cast(null as timestamptz) as email_consent_at,
    from digital_identities as identities
    left join guest_orders as guest
        on identities.source_entity = 'anonymous_id'
        and identities.identity_value = guest.anonymous_id
),

unioned as (
    select * from crm_contacts
    union all by name
    select * from commerce_customers
    union all by name
    select * from billing_customers
    union all by name
    select * from support_users
    union all by name
    select * from digital
)

select
    source_system || ':' || source_entity || ':' || source_record_id as record_uid,
    *,
from unioned
where source_record_id is not null
