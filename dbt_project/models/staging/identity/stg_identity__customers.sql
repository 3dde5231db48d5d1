-- One row per customer id ever issued, with its status and, when merged, the id it went into,
-- as the stable-id step (Python) keeps it: the only model that reads that registry.
select
    customer_id,
    founding_record_uid,
    status,
    superseded_by,
    created_at,
    updated_at,
from {{ source('identity', 'customers') }}
