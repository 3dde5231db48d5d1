-- Each record's customer id for this run, for the marts (clear_record_customer_ids.sql
-- emptied the table).
insert into identity.record_customer_ids
select record_uid, customer_id, match_rule, match_score, first_assigned_at,
from _next
