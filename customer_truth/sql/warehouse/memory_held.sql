-- the bytes a database's buffer pool holds now, every tag together (warehouse.memory_lent)
select coalesce(sum(memory_usage_bytes), 0) from duckdb_memory()
