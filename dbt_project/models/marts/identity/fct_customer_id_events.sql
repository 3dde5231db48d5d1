-- One row per change of a customer id (created, merged, split, retired) with its reason and
-- the records that moved: the history a system that cached an id follows. Written by
-- customer_truth.identity.stable_ids; a table here so marts readers need not read identity.*.
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
from {{ ref('stg_identity__customer_id_history') }}
