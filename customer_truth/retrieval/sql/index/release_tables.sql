-- Every table of the attached release file with its columns in order.
select table_schema, table_name, list(column_name order by ordinal_position)
from information_schema.columns
where table_catalog = 'release'
group by table_schema, table_name
