-- _parts: the contingency table, how many records of each old id fall in each new cluster.
create or replace temp table _parts as
select
    clusters.cluster_key,
    previous.customer_id as old_id,
    count(*) as n_records,
    min(previous.first_assigned_at) as earliest_assigned_at,
    min(clusters.record_uid) as first_record_uid,
    any_value(previous.id_created_at) as id_created_at,
    list(clusters.record_uid order by clusters.record_uid) as record_uids,
    string_agg(distinct clusters.match_rule, ', ' order by clusters.match_rule) as match_rules,
from _clusters as clusters
inner join _previous as previous using (record_uid)
group by clusters.cluster_key, previous.customer_id
