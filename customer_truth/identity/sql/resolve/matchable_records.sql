-- identity_records: the records that take part in matching, every record not merged into
-- another (merged-away ones follow their survivor: merged_attachments.sql).
-- Reads all_records, survivors.
create or replace temp table identity_records as
select all_records.*
from all_records
left join survivors using (record_uid)
where survivors.record_uid is null
