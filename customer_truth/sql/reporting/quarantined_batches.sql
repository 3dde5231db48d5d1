-- batches the run (since ?) quarantined whole for their extraction time (batch_clock)
select system || '/' || batch_id || ': ' || quarantine_reason
from ingest.batch_loads
where loaded_at >= ? and quarantine_reason is not null
order by system, batch_id
