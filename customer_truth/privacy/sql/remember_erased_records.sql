-- The hash of every record uid swept, so that ingestion suppresses a later delivery of it.
insert into privacy.erased_source_records
select distinct sha256(record_uid), erasure_request_id, now()
from _sweep_records
where sha256(record_uid) not in (select record_uid_sha256 from privacy.erased_source_records)
