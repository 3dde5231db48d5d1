-- _next: the new assignment, record -> customer id, with when it was first assigned and seen
-- ($run_at: this run).
create or replace temp table _next as
select
    clusters.record_uid,
    assignment.customer_id,
    clusters.match_rule,
    clusters.match_score,
    case
        when previous.customer_id = assignment.customer_id then previous.first_assigned_at
        else $run_at
    end as first_assigned_at,
    coalesce(previous.first_seen_at, $run_at) as first_seen_at,
    $run_at as last_seen_at,
from _clusters as clusters
inner join _assignment as assignment using (cluster_key)
left join _previous as previous using (record_uid)
