-- a frame's rows: landed, loaded, quarantined
select
    count(*),
    count(*) filter (where reason is null),
    count(*) filter (where reason is not null)
from _checked
