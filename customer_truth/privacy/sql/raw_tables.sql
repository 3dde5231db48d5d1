-- The raw layer's tables, by name.
select table_name
from information_schema.tables
where table_schema = 'raw' and table_type = 'BASE TABLE'
order by table_name
