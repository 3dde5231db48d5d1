-- What would make this run's clusters unusable: rows without record_uid or key, duplicated
-- record_uids, and the row count (an empty run while ids exist is refused).
select
    count(*) filter (where record_uid is null or cluster_key is null),
    count(*) - count(distinct record_uid),
    count(*),
from _clusters
