-- the attribution figures, in the order evaluation.journeys._attribution names them
select
    count(*) filter (where attributable),
    count(*) filter (where attributable and is_right),
    count(*) filter (where attributable and is_main_customer),
    count(*) filter (where attributable and customer_id is not null and not is_right),
    count(*) filter (where attributable and in_timeline and customer_id is null),
    count(*) filter (where not in_timeline),
    count(*) filter (where not attributable),
    count(*) filter (where not attributable and customer_id is not null),
    count(*) filter (where not attributable and customer_id is not null and not is_right),
    count(*),
from scored_events
