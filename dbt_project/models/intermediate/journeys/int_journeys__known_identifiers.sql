-- One row per identifier value and customer that identity resolution knows it for, with how
-- many customers hold it: the keys events are attributed through. Read from the identifier
-- lookup of the current crosswalk, so an event follows its customer when identities merge or
-- split. Orders and tracking codes are resolved here by the journeys models themselves
-- (int_journeys__orders, int_journeys__shipments), which pick the shipment by its dates.
select
    identifier_type,
    identifier_value,
    customer_id,
    count(*) over (partition by identifier_type, identifier_value) as customer_count,
from (
    select distinct identifier_type, identifier_value, customer_id,
    from {{ ref('bdg_identifier_lookup') }}
    where identifier_type in (
        'email', 'phone', 'crm_contact_id', 'commerce_customer_id', 'billing_customer_id',
        'support_user_id', 'anonymous_id', 'user_id'
    )
        and customer_id is not null
)
