-- the files the run loaded (since ?) whose counts do not reconcile
select system || '/' || batch_id || '/' || file_name || ': ' || problem
from ingest.file_loads
where loaded_at >= ? and not reconciled
order by system, batch_id, file_name
