-- New ids join the registry of every id ever issued.
insert into identity.customers
select customer_id, founding_record_uid, 'active', null, $run_at, $run_at,
from _new_ids
