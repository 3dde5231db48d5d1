-- per source entity: attributable events, and those on the right customer
select
    system || '/' || entity,
    count(*),
    count(*) filter (where is_right),
from scored_events
where attributable
group by all
order by 1
