-- survivors: each merged-away CRM contact and the record it finally merged into, through
-- chains of merges (at most 20 deep).
-- Reads all_records (intermediate.int_identity__records).
create or replace temp table survivors as
with recursive chain(record_uid, survivor_uid, depth) as (
    select record_uid, survivor_record_uid, 1
    from all_records where survivor_record_uid is not null
    union all
    select chain.record_uid, all_records.survivor_record_uid, chain.depth + 1
    from chain
    inner join all_records on chain.survivor_uid = all_records.record_uid
    where all_records.survivor_record_uid is not null and chain.depth < 20
)
select record_uid, arg_max(survivor_uid, depth) as survivor_uid
from chain
group by record_uid
