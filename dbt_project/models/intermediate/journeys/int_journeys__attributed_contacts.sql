-- One row per Amazon Connect contact that is attributed to a customer: int_journeys__contacts
-- with the customer int_journeys__record_attribution found for it. What the signals read.
select contacts.*, attribution.customer_id,
from {{ ref('int_journeys__contacts') }} as contacts
inner join {{ ref('int_journeys__record_attribution') }} as attribution
    on attribution.record_key = 'contact_center:contact_records:' || contacts.contact_id
where attribution.customer_id is not null
