-- What one assignment run did: records, customers, kept ids, and events by type.
select
    (select count(*) from _next),
    (select count(*) from _assignment),
    (select count(*) from _assignment where not is_new),
    count(*) filter (where event_type = 'created'),
    count(*) filter (where event_type = 'merged'),
    count(*) filter (where event_type = 'split'),
    count(*) filter (where event_type = 'retired'),
from _events
