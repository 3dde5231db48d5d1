-- customer_id -> where the customer's context is. A file's rows have a stable rowid to fetch
-- by; an arrow table (the Delta path, `schema` "main") carries its positions in a column added
-- when it was read. `schema` ("release" or "main") comes from code.
create table rows as
select
    customer_id,
    {% if schema == "main" %}context.context_row{% else %}context.rowid{% endif %} as context_row,
from customer_profile as profile
full join {{ schema }}.customer_context as context using (customer_id)
