-- The sweeps that removed rows and that no rewrite of the file has covered yet: the oldest
-- (when the purge falls due) and the newest (what the purge will cover). Nulls: none pending.
select min(swept_at) as oldest, max(swept_at) as newest
from privacy.warehouse_erasures
where relation = '*'
    and rows_removed > 0
    and swept_at > coalesce(
        (select max(through_swept_at) from privacy.warehouse_purges), '-infinity'::timestamptz
    )
