-- Candidate of the published `identifier_lookup`: every normalised identifier that resolves to a
-- customer who was not erased. An identifier of an erased person that another customer shares
-- is left out as well (it would still identify the erased person). customer_count and is_shared
-- count the customers that remain.
with

kept as (
    select lookup.*,
    from {{ ref('bdg_identifier_lookup') }} as lookup
    where lookup.customer_id not in {{ erased_customer_ids() }}
        and not exists (
            select 1 from {{ ref('erased_customers') }} as erased
            where erased.identifier_type = lookup.identifier_type
                and erased.identifier_sha256 = sha256(lookup.identifier_value)
        )
)

select
    identifier_type,
    identifier_value,
    customer_id,
    count(*) over (partition by identifier_type, identifier_value) as customer_count,
    count(*) over (partition by identifier_type, identifier_value) > 1 as is_shared,
    is_current,
    resolved_via,
    first_seen_at,
    last_seen_at,
from kept
