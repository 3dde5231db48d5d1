-- The identifiers that place a source fact with one customer: the published identifier lookup
-- (erasure already applied), restricted to identifiers that name exactly one customer, or, for a
-- recycled tracking code, the customer of its latest shipment.
select identifier_type, identifier_value, customer_id,
from {{ ref('identifier_lookup') }}
where customer_count = 1 or (identifier_type = 'tracking_code' and is_current)
