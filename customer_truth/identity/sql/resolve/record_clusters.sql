-- identity.record_clusters' rows: each resolved record's cluster in this run and the rule or
-- score that attached it. $resolved_at: when this resolution ran.
-- Reads clustered.
select
    record_uid,
    cluster_key,
    match_rule,
    match_score,
    $resolved_at::timestamptz as resolved_at,
from clustered
order by record_uid
