-- Each record's customer id for this run, for the marts (deleted first, in the same
-- transaction).
insert into identity.record_customer_ids
select record_uid, customer_id, match_rule, match_score, first_assigned_at,
from _next
