-- quarantine rows of the run (since ?) naming a whole file, batch or folder: refused entries,
-- unknown files, conflicts
select q.source_file || ': ' || q.reason
from ingest.quarantine as q
anti join ingest.batch_loads as b
    on
        q.system = b.system and q.batch_id = b.batch_id
        and q.reason = b.quarantine_reason
where q.quarantined_at >= ? and q.line_number is null
order by q.source_file, q.reason
