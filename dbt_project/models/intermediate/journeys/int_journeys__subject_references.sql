-- One row per identifier an event-bearing source record carries (subject_key: system:entity:id),
-- ranked by how specific a path it is (ref_rank, 1 most): what record attribution resolves
-- (int_journeys__record_attribution) and what erasure looks for in later deliveries
-- (privacy.erased_records). Identifiers are normalised: emails lower-case and trimmed, phones
-- E.164.
{%- set country = var('identity_default_country', 'US') %}
with

contacts as (
    select * from {{ ref('int_journeys__contacts') }}
),

orders as (
    select * from {{ ref('int_journeys__orders') }}
)

select 'contact_center:contact_records:' || contact_id as subject_key, 1 as ref_rank,
    'crm_contact_id' as identifier_type, crm_contact_id as identifier_value,
from contacts where crm_contact_id is not null
union all
select 'contact_center:contact_records:' || contact_id, 2, 'order_id', cast(order_id as varchar),
from contacts where order_id is not null
union all
select 'contact_center:contact_records:' || contact_id, 3, 'email', customer_email_normalized,
from contacts where customer_email_normalized is not null
union all
select 'contact_center:contact_records:' || contact_id, 3, 'email',
    normalize_email_address(customer_endpoint_address),
from contacts where customer_endpoint_type = 'EMAIL_ADDRESS'
union all
select 'contact_center:contact_records:' || contacts.contact_id, 4, 'phone',
    {{ memoised_phone('readings', 'contacts.customer_endpoint_address', "'" ~ country ~ "'") }},
from contacts
left join {{ ref('int_identity__phone_readings') }} as readings
    on readings.reading_key = {{ identity_reading_key([
        'contacts.customer_endpoint_address', "'" ~ country ~ "'"
    ]) }}
where contacts.customer_endpoint_type = 'TELEPHONE_NUMBER'

union all
select 'digital:events:' || message_id, 1, 'user_id', user_id,
from {{ ref('stg_digital__events') }} where user_id is not null
union all
select 'digital:events:' || message_id, 2, 'anonymous_id', anonymous_id,
from {{ ref('stg_digital__events') }} where anonymous_id is not null
union all
select 'digital:events:' || message_id, 3, 'email', traits_email_normalized,
from {{ ref('stg_digital__events') }} where traits_email_normalized is not null

union all
select 'billing:invoices:' || invoice_id, 1, 'billing_customer_id', billing_customer_id,
from {{ ref('stg_billing__invoices') }} where billing_customer_id is not null
union all
select 'billing:invoices:' || invoice_id, 2, 'email', customer_email_normalized,
from {{ ref('stg_billing__invoices') }} where customer_email_normalized is not null
union all
select 'billing:charges:' || charge_id, 1, 'billing_customer_id', billing_customer_id,
from {{ ref('stg_billing__charges') }} where billing_customer_id is not null
union all
select 'billing:charges:' || charge_id, 2, 'email', billing_email_normalized,
from {{ ref('stg_billing__charges') }} where billing_email_normalized is not null

union all
select 'support:tickets:' || tickets.ticket_id, 1, 'support_user_id', tickets.requester_user_id,
from {{ ref('stg_support__tickets') }} as tickets where tickets.requester_user_id is not null
union all
select 'support:tickets:' || tickets.ticket_id, 2, 'order_id', cast(orders.order_id as varchar),
from {{ ref('stg_support__tickets') }} as tickets
inner join orders on tickets.order_name = orders.order_name
