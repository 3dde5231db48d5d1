-- _previous: the previous assignment, record -> customer id, with when each id was created.
create or replace temp table _previous as
select
    assigned.record_uid,
    assigned.customer_id,
    assigned.first_assigned_at,
    assigned.first_seen_at,
    registry.created_at as id_created_at,
from identity.customer_ids as assigned
inner join identity.customers as registry using (customer_id)
