-- whether a batch (system, batch id: bound) was loaded or judged before: loading is idempotent
select count(*) from ingest.batch_loads where system = ? and batch_id = ?
