-- why attributable events were left without a customer
select
    coalesce(unattributed_reason, 'missing'),
    count(*),
from scored_events
where attributable and customer_id is null
group by all
order by 2 desc
