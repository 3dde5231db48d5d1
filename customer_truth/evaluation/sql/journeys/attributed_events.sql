-- The truth's events the timeline attributes to some customer (right or wrong): the
-- denominator of the attributed precision.
select count(*) as attributed
from scored_events
where customer_id is not null
