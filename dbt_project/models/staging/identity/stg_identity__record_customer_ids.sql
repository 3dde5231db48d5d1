-- One row per identity-bearing record of the current run with its stable customer id, as the
-- identity steps (Python) wrote it: the only model that reads that table.
select
    record_uid,
    customer_id,
    match_rule,
    match_score,
    linked_at,
from {{ source('identity', 'record_customer_ids') }}
