-- Every identifier of the customers bound (`placeholders`: one `?` per customer, from code).
select identifier_type, identifier_value, customer_id
from lookup
where customer_id in ({{ placeholders }})
