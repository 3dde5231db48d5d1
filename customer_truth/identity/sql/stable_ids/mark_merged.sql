-- Merged ids point to their survivor in the registry.
update identity.customers as registry
set status = 'merged', superseded_by = events.into_customer_id, updated_at = $run_at
from _events as events
where events.event_type = 'merged' and events.customer_id = registry.customer_id
