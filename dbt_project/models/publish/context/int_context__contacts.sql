-- One row per contact-center contact of a published customer (placed as the timeline places
-- it): what the customer wanted (intent), how it ended (resolution), whether it was a transfer,
-- and whether it failed: a contact the customer started that did not end in one of the outcomes
-- policies/guardrails.yml counts as resolved.
with

placed as (
    select distinct customer_id, source_record_id as contact_id,
    from {{ ref('customer_timeline') }}
    where source_system = 'contact_center' and source_entity = 'contact_records'
),

policy as (
    select guardrail_list('escalate_repeated_failures', 'resolved_outcomes') as resolved_outcomes
)

select
    placed.customer_id,
    contacts.contact_id,
    contacts.initial_contact_id,
    contacts.previous_contact_id,
    contacts.channel,
    contacts.initiation_method,
    contacts.initiated_at,
    contacts.disconnected_at,
    contacts.disconnect_reason,
    contacts.queue_name,
    contacts.has_agent,
    contacts.intent,
    contacts.resolution,
    contacts.initiation_method = 'TRANSFER' or contacts.previous_contact_id is not null
        as is_transfer,
    contacts.initiation_method in ('INBOUND', 'CALLBACK')
        and not list_contains(policy.resolved_outcomes, coalesce(contacts.resolution, '(none)'))
        as is_failed,
    {{ normalize_order_name('contacts.order_name') }} as order_name,
from {{ ref('stg_contact_center__contact_records') }} as contacts
inner join placed using (contact_id)
cross join policy
