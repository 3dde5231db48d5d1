-- _keepers: rule 1, the part of each old id that keeps it (the most records, then the record
-- that received it earliest, then the smallest record_uid).
create or replace temp table _keepers as
select
    *,
    sum(n_records) over (partition by old_id) as old_id_records,
from _parts
qualify row_number() over (
    partition by old_id
    order by n_records desc, earliest_assigned_at asc, first_record_uid asc
) = 1
