-- identifier_lookup's four key columns, in memory; `schema` ("release" or "main") from code.
create table lookup as
select identifier_type, identifier_value, customer_id, is_current
from {{ schema }}.identifier_lookup
