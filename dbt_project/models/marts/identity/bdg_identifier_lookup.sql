-- One row per identifier value and customer it resolves to (published as `identifier_lookup`):
-- the identifiers of the customer's identity records, those given for them on orders, charges,
-- CRM accounts and pre-chat forms (int_identity__observed_identifiers; resolved_via says which),
-- and the orders and tracking codes that lead to them.
-- Values are normalised (emails lower-case and trimmed, phones E.164, order names `#1234`,
-- tracking codes upper-case without spaces). An identifier several customers use (a household
-- landline, a family mailbox, a recycled tracking code) maps to each of them and says so with
-- customer_count and is_shared. Placeholder emails never resolve.
--
-- Orders resolve through the ordering commerce customer; a guest checkout through its email when
-- that email belongs to exactly one customer, else through the storefront's anonymousId.
-- Tracking codes resolve through the fulfilled order. Carriers recycle codes: every customer a
-- code served is listed, and is_current marks the customer of its latest shipment.
with

records as (
    select * from {{ ref('int_customer_records_linked') }}
),

record_identifiers as (
    select customer_id, 'email' as identifier_type, email as identifier_value,
        'record' as resolved_via, observed_at as seen_at,
    from records
    where email is not null and not coalesce(email_is_junk, false)

    union all
    select customer_id, 'phone', phone_value, 'record', observed_at,
    from (
        select customer_id, observed_at,
            unnest(list_distinct(list_append(coalesce(phones, []), phone))) as phone_value,
        from records
    ) as record_phone_values
    where phone_value is not null

    union all
    select customer_id,
        case (source_system || ':' || source_entity)
            when 'crm:contacts' then 'crm_contact_id'
            when 'commerce:customers' then 'commerce_customer_id'
            when 'billing:customers' then 'billing_customer_id'
            when 'support:users' then 'support_user_id'
            when 'digital:anonymous_id' then 'anonymous_id'
            when 'digital:user_id' then 'user_id'
        end,
        source_record_id, 'record', observed_at,
    from records
),

commerce_customers as (
    select customer_id, source_record_id as commerce_customer_id,
    from records
    where source_system = 'commerce' and source_entity = 'customers'
),

anonymous_ids as (
    select customer_id, source_record_id as anonymous_id,
    from records
    where source_system = 'digital' and source_entity = 'anonymous_id'
),

unique_emails as (
    select identifier_value as email, min(customer_id) as customer_id,
    from record_identifiers
    where identifier_type = 'email'
    group by identifier_value
    having count(distinct customer_id) = 1
),

orders as (
    select
        order_id,
        coalesce({{ normalize_order_name('order_name') }}, order_name) as order_name,
        cast(commerce_customer_id as varchar) as commerce_customer_id,
        email_normalized,
        segment_anonymous_id,
        created_at,
    from {{ ref('stg_commerce__orders') }}
),

order_customers as (
    select
        orders.order_id,
        orders.order_name,
        orders.created_at,
        coalesce(
            commerce_customers.customer_id, unique_emails.customer_id, anonymous_ids.customer_id
        ) as customer_id,
        case
            when commerce_customers.customer_id is not null then 'order_customer'
            when unique_emails.customer_id is not null then 'order_email'
            when anonymous_ids.customer_id is not null then 'order_anonymous_id'
        end as resolved_via,
    from orders
    left join commerce_customers using (commerce_customer_id)
    left join unique_emails
        on orders.commerce_customer_id is null
        and orders.email_normalized = unique_emails.email
    left join anonymous_ids
        on orders.commerce_customer_id is null
        and orders.segment_anonymous_id = anonymous_ids.anonymous_id
),

-- the emails and phones given on orders, charges, CRM accounts and pre-chat forms, standardised
-- as identity standardises a record's, each the customer's of the record it was given for or of
-- the order it was given on (resolved above)
observed as (
    select
        coalesce(records.customer_id, order_customers.customer_id) as customer_id,
        observed.identifier_type,
        case observed.identifier_type
            when 'email' then normalize_email_address(observed.value_raw)
            when 'phone' then readings.e164
        end as identifier_value,
        observed.observed_via as resolved_via,
        observed.observed_at as seen_at,
        normalize_name(observed.observed_name_given) as given_name_std,
        normalize_name(observed.observed_name_family) as family_name_std,
    from {{ ref('int_identity__observed_identifiers') }} as observed
    left join records using (record_uid)
    left join order_customers using (order_id)
    left join {{ ref('int_identity__phone_readings') }} as readings
        on observed.identifier_type = 'phone'
        and readings.reading_key = {{ identity_reading_key([
            'observed.value_raw', identity_phone_country('normalize_country(observed.country_raw)')
        ]) }}
),

-- counted as the customer's only when the name the value was given under (if any) can be one
-- of theirs: the same family name and given initial as one of the customer's records
observed_identifiers as (
    select observed.customer_id, observed.identifier_type, observed.identifier_value,
        observed.resolved_via, observed.seen_at,
    from observed
    -- placeholders and the company's own numbers, as identity drops them from records
    anti join {{ ref('int_identity__junk_identifiers') }} as junk
        on observed.identifier_type = junk.identifier_type
        and observed.identifier_value = junk.identifier_value
    where observed.customer_id is not null
        and observed.identifier_value is not null
        and (observed.identifier_type <> 'email' or email_junk_reason(observed.identifier_value) is null)
        and (
            (observed.given_name_std is null and observed.family_name_std is null)
            or exists (
                select 1 from records
                where records.customer_id = observed.customer_id
                    and records.family_name_std = observed.family_name_std
                    and left(records.given_name_std, 1) = left(observed.given_name_std, 1)
            )
        )
),

order_identifiers as (
    select customer_id, 'order_name' as identifier_type, order_name as identifier_value,
        resolved_via, created_at as seen_at,
    from order_customers
    where customer_id is not null and order_name is not null

    union all
    select
        order_customers.customer_id,
        'tracking_code',
        fulfillments.tracking_code_normalized,
        'fulfilled_order',
        coalesce(fulfillments.created_at, order_customers.created_at),
    from {{ ref('stg_commerce__order_fulfillments') }} as fulfillments
    inner join order_customers using (order_id)
    where order_customers.customer_id is not null
        and fulfillments.tracking_code_normalized is not null
),

all_identifiers as (
    select * from record_identifiers
    union all
    select * from observed_identifiers
    union all
    select * from order_identifiers
),

per_customer as (
    select
        identifier_type,
        identifier_value,
        customer_id,
        -- the identity record itself when it carries the value, else the first other way
        arg_min(resolved_via, (resolved_via <> 'record', resolved_via)) as resolved_via,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
    from all_identifiers
    where identifier_type is not null and identifier_value is not null
    group by identifier_type, identifier_value, customer_id
)

select
    identifier_type,
    identifier_value,
    customer_id,
    count(*) over (partition by identifier_type, identifier_value) as customer_count,
    count(*) over (partition by identifier_type, identifier_value) > 1 as is_shared,
    -- a recycled tracking code belongs now to the customer of its latest shipment; every other
    -- identifier is current for each customer holding it (a family mailbox serves them all)
    case
        when identifier_type <> 'tracking_code' then true
        else coalesce(
            last_seen_at = max(last_seen_at) over (partition by identifier_type, identifier_value),
            count(*) over (partition by identifier_type, identifier_value) = 1
        )
    end as is_current,
    resolved_via,
    first_seen_at,
    last_seen_at,
from per_customer
