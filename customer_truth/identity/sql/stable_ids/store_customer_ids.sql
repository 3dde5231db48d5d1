-- The new assignment replaces the previous one (deleted first, in the same transaction).
insert into identity.customer_ids
select record_uid, customer_id, first_assigned_at, first_seen_at, last_seen_at,
from _next
