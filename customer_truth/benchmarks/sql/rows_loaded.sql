-- Rows a run took in: landed (every delivered record) and loaded (those that passed validation),
-- over the files it loaded. $since: the run's start.
select coalesce(sum(landed_rows), 0) as landed, coalesce(sum(loaded_rows), 0) as loaded
from ingest.file_loads
where loaded_at >= $since
