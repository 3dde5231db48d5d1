-- The rows of one table of analytics.duckdb. schema, table: its name, from the release's own
-- table keys (the registry), never from data.
select count(*) as row_count
from "{{ schema }}"."{{ table }}"
