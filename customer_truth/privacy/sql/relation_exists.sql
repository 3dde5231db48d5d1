-- 1 when the warehouse has the table ?.? (schema, name), else 0.
select count(*) from information_schema.tables where table_schema = ? and table_name = ?
