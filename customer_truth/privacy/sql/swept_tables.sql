-- Every column of every base table of the swept schemas ($schemas), with its type.
select c.table_schema, c.table_name, c.column_name, c.data_type
from information_schema.columns as c
inner join information_schema.tables as t using (table_catalog, table_schema, table_name)
where t.table_type = 'BASE TABLE' and c.table_schema in $schemas
order by c.table_schema, c.table_name, c.ordinal_position
