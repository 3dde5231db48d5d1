-- a batch loaded before digests were recorded takes the content it has now as its digest
update ingest.batch_loads
set content_sha256 = ?, content_stat = ?
where system = ? and batch_id = ?
