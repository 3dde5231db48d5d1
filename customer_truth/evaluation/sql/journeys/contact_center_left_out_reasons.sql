-- per contact-center entity, why events were left out
select
    entity,
    case
        when not in_timeline then 'missing_from_timeline'
        else coalesce(unattributed_reason, 'no_reason_given')
    end as reason,
    count(*),
from contact_center_events
where customer_id is null
group by all
order by entity, 3 desc, reason
