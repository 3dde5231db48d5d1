-- per system, what the run loaded since it started (?)
select
    system,
    count(distinct batch_id) as batches,
    sum(loaded_rows) as loaded,
    sum(quarantined_rows) as quarantined,
    count(*) filter (where not reconciled) as unreconciled
from ingest.file_loads
where loaded_at >= ?
group by system
order by system
