-- one quarantine row per landing problem (`_problems`) not recorded before
insert into ingest.quarantine
select distinct p.system, null, p.batch_id, p.source_file, null, p.reason, null, ?
from _problems as p
anti join ingest.quarantine as q
    on
        p.system = q.system and p.batch_id = q.batch_id
        and p.source_file = q.source_file and p.reason = q.reason
