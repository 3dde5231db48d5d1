-- live_clusters: the live clusters, keyed by their smallest record_uid (same clustering,
-- same key).
-- Reads assignments.
create or replace temp table live_clusters as
select
    record_uid,
    min(record_uid) over (partition by cluster_key) as cluster_key,
    count(*) over (partition by cluster_key) as cluster_size,
from assignments
