-- Rows a run took in: every delivered record (loaded or quarantined) of the files it loaded.
-- $since: the run's start.
select coalesce(sum(landed_rows), 0) as landed
from ingest.file_loads
where loaded_at >= $since
