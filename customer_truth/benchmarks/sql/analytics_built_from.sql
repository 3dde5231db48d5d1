-- Which release analytics.duckdb holds and the generations of its tables it was built from
-- (a JSON object; a file from before generations were recorded has no such column).
select publication_id, generations
from release_info
