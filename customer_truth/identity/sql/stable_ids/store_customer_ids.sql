-- The new assignment, record -> customer id (clear_customer_ids.sql emptied the table).
insert into identity.customer_ids
select record_uid, customer_id, first_assigned_at, first_seen_at, last_seen_at,
from _next
