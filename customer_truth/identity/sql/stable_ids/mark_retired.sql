-- Retired ids are marked so in the registry.
update identity.customers as registry
set status = 'retired', updated_at = $run_at
from _events as events
where events.event_type = 'retired' and events.customer_id = registry.customer_id
