-- One row per change of a customer id, as the stable-id step (Python) records it: the only
-- model that reads that history.
select
    event_id,
    event_type,
    customer_id,
    from_customer_id,
    into_customer_id,
    reason,
    record_count,
    record_uids,
    occurred_at,
from {{ source('identity', 'customer_id_history') }}
