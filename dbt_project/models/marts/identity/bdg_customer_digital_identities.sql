-- One row per digital identity (a Segment anonymousId or userId) that resolves to a customer,
-- with how it was linked. A person has several devices (anonymousIds) and one sign-in (userId).
select
    records.customer_id,
    records.source_entity as identity_type,
    records.source_record_id as identity_value,
    records.record_uid,
    records.match_rule,
    records.match_score,
    records.linked_at,
    records.first_seen_at,
    records.observed_at as last_seen_at,
from {{ ref('int_customer_records_linked') }} as records
where records.source_system = 'digital'
    and records.source_entity in ('anonymous_id', 'user_id')
