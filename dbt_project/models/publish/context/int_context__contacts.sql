-- One row per contact-center contact of a known customer: what the customer wanted (intent),
-- how it ended (resolution), and whether it was a transfer. The customer is found through the
-- CRM id the caller authenticated with, else the pre-chat email, else the caller's number, else
-- the order number they gave; each only when it names exactly one customer.
{%- set country = var('identity_default_country', 'US') %}
with

contacts as (
    select
        contact_id,
        initial_contact_id,
        previous_contact_id,
        channel,
        initiation_method,
        initiated_at,
        disconnected_at,
        disconnect_reason,
        queue_name,
        has_agent,
        intent,
        resolution,
        crm_contact_id,
        coalesce(customer_email_normalized,
            case when customer_endpoint_type = 'EMAIL_ADDRESS' then lower(trim(customer_endpoint_address)) end)
            as email,
        case when customer_endpoint_type = 'TELEPHONE_NUMBER'
            then normalize_phone(customer_endpoint_address, '{{ country }}') end as phone,
        {{ normalize_order_name('order_name') }} as order_name,
    from {{ ref('stg_contact_center__contact_records') }}
),

identifiers as (
    select * from {{ ref('int_context__customer_identifiers') }}
),

policy as (
    select guardrail_list('escalate_repeated_failures', 'resolved_outcomes') as resolved_outcomes
),

placed as (
    select
        contacts.*,
        coalesce(by_crm.customer_id, by_email.customer_id, by_phone.customer_id,
            by_order.customer_id) as customer_id,
    from contacts
    left join identifiers as by_crm
        on by_crm.identifier_type = 'crm_contact_id' and by_crm.identifier_value = contacts.crm_contact_id
    left join identifiers as by_email
        on by_email.identifier_type = 'email' and by_email.identifier_value = contacts.email
    left join identifiers as by_phone
        on by_phone.identifier_type = 'phone' and by_phone.identifier_value = contacts.phone
    left join identifiers as by_order
        on by_order.identifier_type = 'order_name' and by_order.identifier_value = contacts.order_name
)

select
    customer_id,
    contact_id,
    initial_contact_id,
    previous_contact_id,
    channel,
    initiation_method,
    initiated_at,
    disconnected_at,
    disconnect_reason,
    queue_name,
    has_agent,
    intent,
    resolution,
    initiation_method = 'TRANSFER' or previous_contact_id is not null as is_transfer,
    initiation_method in ('INBOUND', 'CALLBACK', 'TRANSFER') as is_customer_initiated,
    -- a contact the customer started that did not end solved (guardrails.yml names the outcomes)
    initiation_method in ('INBOUND', 'CALLBACK')
        and not list_contains(policy.resolved_outcomes, coalesce(resolution, '(none)'))
        as is_failed,
    order_name,
from placed, policy
where customer_id is not null
