-- This run's events join identity.customer_id_history.
insert into identity.customer_id_history
select
    event_id, event_type, customer_id, from_customer_id, into_customer_id, reason,
    record_count, record_uids, occurred_at,
from _events
