-- clustered: every resolved record with its cluster and the rule that attached it: live
-- records (a lone one is a singleton), then deleted records attached to a live one.
-- Reads live_clusters, best_link, deleted_attachments.
create or replace temp table clustered as
select
    live.record_uid,
    live.cluster_key,
    case when live.cluster_size = 1 then 'singleton' else best.rule end as match_rule,
    case when live.cluster_size > 1 and best.rule like 'splink:%' then best.score end
        as match_score,
from live_clusters as live
left join best_link as best using (record_uid)
union all
select
    attached.record_uid,
    live.cluster_key,
    attached.rule,
    attached.score,
from deleted_attachments as attached
inner join live_clusters as live on attached.anchor_uid = live.record_uid
