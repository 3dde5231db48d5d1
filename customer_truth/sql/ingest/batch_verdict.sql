-- whether a batch was seen before, and if so whether it was quarantined (its reason)
select quarantine_reason
from ingest.batch_loads
where system = ? and batch_id = ?
