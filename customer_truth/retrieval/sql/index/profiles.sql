-- The profiles of the customers bound (`placeholders`: one `?` per customer, from code), only
-- `columns` (quoted names from the release's schema), each row as one JSON text built by
-- DuckDB: converting ~90 typed columns to Python objects one by one costs several times the
-- query (times come back as ISO text).
select to_json(profile) as row
from (
    select {{ columns }}
    from customer_profile
    where customer_id in ({{ placeholders }})
    order by customer_id
) as profile
