-- Quarantined lines whose text holds one of the person's values or their records' ids; rows
-- deleted.
delete from ingest.quarantine as q
where exists (
    select 1 from (
        select value from _sweep_values
        union select source_record_id from _sweep_records where length(source_record_id) >= 6
    ) as v
    where contains(q.raw_text, v.value)
)
