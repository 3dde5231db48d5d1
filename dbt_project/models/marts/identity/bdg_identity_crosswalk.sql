-- One row per identity-bearing source record: the customer it resolves to, the rule or model
-- that linked it, and when (published as `identity_crosswalk`). Deleted and merged-away records
-- map to their survivor's customer or are absent: they never make a customer of their own.
select
    source_system,
    source_entity,
    source_record_id,
    customer_id,
    match_rule,
    match_score,
    linked_at,
    record_uid,
    is_live,
from {{ ref('int_customer_records_linked') }}
