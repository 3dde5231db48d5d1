-- _clusters: this run's clusters (identity.record_clusters). cluster_key is cast to text: another
-- resolution step may write integers.
create or replace temp table _clusters as
select
    cast(record_uid as varchar) as record_uid,
    cast(cluster_key as varchar) as cluster_key,
    cast(match_rule as varchar) as match_rule,
    cast(match_score as double) as match_score,
from identity.record_clusters
