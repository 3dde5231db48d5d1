-- per contact-center entity: records, right, wrong, left out, attributable, attributable right
select
    entity,
    count(*),
    count(*) filter (where is_right),
    count(*) filter (where customer_id is not null and not is_right),
    count(*) filter (where customer_id is null),
    count(*) filter (where attributable),
    count(*) filter (where attributable and is_right),
from contact_center_events
group by entity
order by entity
