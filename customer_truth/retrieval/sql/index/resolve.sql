-- identifier_lookup rows whose value is one of the values bound (`placeholders`: one `?` per
-- value, built by code from their count; none: no value), then the customer whose id is
-- bound last, as type customer_id, when the release has it.
select identifier_type, identifier_value, customer_id, is_current
from lookup
where {% if placeholders %}identifier_value in ({{ placeholders }}){% else %}false{% endif %}
union all
select 'customer_id', customer_id, customer_id, true
from rows
where customer_id = ?
