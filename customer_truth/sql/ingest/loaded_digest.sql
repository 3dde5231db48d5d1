-- the content digests recorded when a batch was loaded (ingest.changed_redelivery)
select content_sha256, content_stat
from ingest.batch_loads
where system = ? and batch_id = ?
