-- a loaded batch, with its content digests
insert into ingest.batch_loads (
    system, batch_id, batch_mode, extracted_at, manifest_error, loaded_at,
    content_sha256, content_stat
)
values (?, ?, ?, ?, ?, ?, ?, ?)
