-- Which release analytics.duckdb holds.
select publication_id
from release_info
